import Hummingbird

/// The OpenAPI 3.1 document of every route faafo-api serves, written by hand so that it
/// describes the wire shapes as they are (docs/wire-contract.md) rather than ones a generator would
/// choose. Served at `GET /openapi.json`; `OpenAPIDocumentTests` checks that it parses,
/// that its paths and methods are exactly the router's, and that requests built from its
/// examples get the statuses it documents.
///
/// It is compiled into the module, as the gallery's templates are, so that an installed
/// `faafo-api` needs nothing beside its binary.
enum OpenAPIDocument {
    /// The document as served, made once.
    static let buffer = ByteBuffer(string: json)

    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "faafo API",
            "version": "1.0.0",
            "description": "The HTTP API of faafo-api, the controller of faafo (OpenStack's Fractals application, in Swift): the JSON API of the original faafo (Flask-Restless) with additions, the images, and the web gallery.\n\nEvery error of the JSON routes is `{\"message\": ...}` with a 4xx status, or 503 when the store cannot be reached; the gallery's errors are HTML pages. Any other path answers 404 with `{\"message\": \"Not Found\"}` (see the `NotFound` response); a method a path does not have answers 405 with an `Allow` header that lists the ones it has, as Flask answers (HEAD is served wherever GET is). No request is meant to produce any other 5xx: a 500 `{\"message\": \"internal error\"}` is a bug, and is logged.\n\nCredentials are off by default, as in the original: every route is open. An API started with `worker_token` asks it (as `Authorization: Bearer <token>`) of result and failure PUTs, with `operator_token` of DELETE, with `create_token` of POST /v1/fractal; `operator_token` is also accepted wherever another token is asked. A missing or wrong token answers 401 with `WWW-Authenticate: Bearer` and changes nothing. Reads are never guarded.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}
          },
          "servers": [{"url": "http://localhost:8080", "description": "faafo-api's default `bind_port`."}],
          "tags": [
            {"name": "fractals", "description": "The JSON API of the original faafo."},
            {"name": "workers", "description": "What workers send back."},
            {"name": "gallery", "description": "The web gallery: HTML pages."},
            {"name": "meta", "description": "This document."},
            {"name": "operations", "description": "Liveness, readiness and metrics, for operators and orchestrators."}
          ],
          "paths": {
            "/v1/fractal": {
              "post": {
                "operationId": "createFractal",
                "tags": ["fractals"],
                "summary": "Create a fractal",
                "description": "Stores the fractal, then publishes its task to the work queue.",
                "requestBody": {
                  "required": true,
                  "description": "The fractal to render.",
                  "content": {
                    "application/json": {
                      "schema": {"$ref": "#/components/schemas/CreateFractal"},
                      "examples": {
                        "valid": {
                          "summary": "A small fractal with c drawn from a seed",
                          "value": {
                            "width": 64,
                            "height": 48,
                            "iterations": 100,
                            "xa": -2.0,
                            "xb": 2.0,
                            "ya": -1.5,
                            "yb": 1.5,
                            "seed": 42
                          }
                        },
                        "withC": {
                          "summary": "c given, and the client's own uuid",
                          "value": {
                            "uuid": "154c7b41-108e-4696-a059-1bde9bf03d0a",
                            "width": 64,
                            "height": 48,
                            "iterations": 100,
                            "xa": -2.0,
                            "xb": 2.0,
                            "ya": -1.5,
                            "yb": 1.5,
                            "cx": -0.8,
                            "cy": 0.156
                          }
                        },
                        "outOfRange": {
                          "summary": "Refused with 400: width outside 2 to 16384",
                          "value": {
                            "width": 0,
                            "height": 48,
                            "iterations": 100,
                            "xa": -2.0,
                            "xb": 2.0,
                            "ya": -1.5,
                            "yb": 1.5
                          }
                        }
                      }
                    }
                  }
                },
                "security": [{}, {"createToken": []}, {"operatorToken": []}],
                "responses": {
                  "201": {
                    "description": "Stored and queued.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FractalObject"}}},
                    "links": {
                      "getFractal": {"operationId": "getFractal", "parameters": {"uuid": "$response.body#/uuid"}},
                      "submitResult": {"operationId": "submitResult", "parameters": {"uuid": "$response.body#/uuid"}},
                      "reportFailure": {"operationId": "reportFailure", "parameters": {"uuid": "$response.body#/uuid"}},
                      "getImage": {"operationId": "getImage", "parameters": {"uuid": "$response.body#/uuid"}},
                      "deleteFractal": {"operationId": "deleteFractal", "parameters": {"uuid": "$response.body#/uuid"}}
                    }
                  },
                  "200": {
                    "description": "A fractal with this uuid and these parameters exists already: the stored one; nothing is queued twice.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FractalObject"}}}
                  },
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/ContentTooLarge"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              },
              "get": {
                "operationId": "listFractals",
                "tags": ["fractals"],
                "summary": "List fractals, a page at a time",
                "parameters": [
                  {
                    "name": "page",
                    "in": "query",
                    "required": false,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807, "default": 1}
                  },
                  {
                    "name": "results_per_page",
                    "in": "query",
                    "required": false,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The page.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FractalPage"}}}
                  },
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/fractal/{uuid}": {
              "parameters": [{"$ref": "#/components/parameters/uuid"}],
              "get": {
                "operationId": "getFractal",
                "tags": ["fractals"],
                "summary": "One fractal",
                "responses": {
                  "200": {"$ref": "#/components/responses/Fractal"},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              },
              "put": {
                "operationId": "submitResult",
                "tags": ["workers"],
                "summary": "A worker's result",
                "description": "Completes the fractal. The same result again answers 200 and changes nothing; a different checksum for a completed fractal answers 409 and is logged as a determinism violation. An image that contradicts its own size, SHA-256 or pixel checksum, or cannot be decoded whole, answers 422: its bytes changed after the render, and a worker renders the task again.",
                "requestBody": {
                  "required": true,
                  "description": "The rendered PNG and what it claims to be.",
                  "content": {
                    "application/json": {
                      "schema": {"$ref": "#/components/schemas/ResultUpload"},
                      "examples": {
                        "shape": {
                          "summary": "The shape only: a real upload carries the PNG's own size and SHA-256",
                          "value": {
                            "duration": 0.25,
                            "checksum": "103c056f709b86f5487a24dd977d3ab88fe093791f4f6b6d1c8924d122031902",
                            "size": 8,
                            "image": "iVBORw0KGgo=",
                            "generated_by": "worker-1",
                            "pixel_checksum": null
                          }
                        }
                      }
                    }
                  }
                },
                "security": [{}, {"workerToken": []}, {"operatorToken": []}],
                "responses": {
                  "200": {"$ref": "#/components/responses/Fractal"},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/ContentTooLarge"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "422": {"$ref": "#/components/responses/CorruptResult"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              },
              "delete": {
                "operationId": "deleteFractal",
                "tags": ["fractals"],
                "summary": "Delete a fractal and its image",
                "security": [{}, {"operatorToken": []}],
                "responses": {
                  "204": {"description": "Deleted."},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/v1/fractal/{uuid}/failure": {
              "parameters": [{"$ref": "#/components/parameters/uuid"}],
              "put": {
                "operationId": "reportFailure",
                "tags": ["workers"],
                "summary": "A worker gave the task up",
                "description": "A pending fractal becomes failed; a failed one keeps its first failure (200); a completed one answers 409, its result stands.",
                "requestBody": {
                  "required": true,
                  "description": "Why the task was given up.",
                  "content": {
                    "application/json": {
                      "schema": {"$ref": "#/components/schemas/TaskFailure"},
                      "examples": {
                        "renderFailed": {
                          "value": {"reason": "the image could not be encoded", "generated_by": "worker-1"}
                        }
                      }
                    }
                  }
                },
                "security": [{}, {"workerToken": []}, {"operatorToken": []}],
                "responses": {
                  "200": {"$ref": "#/components/responses/Fractal"},
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "401": {"$ref": "#/components/responses/Unauthorized"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "409": {"$ref": "#/components/responses/Conflict"},
                  "413": {"$ref": "#/components/responses/ContentTooLarge"},
                  "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/fractal/{uuid}": {
              "parameters": [{"$ref": "#/components/parameters/uuid"}],
              "get": {
                "operationId": "getImage",
                "tags": ["fractals"],
                "summary": "A fractal's PNG image",
                "responses": {
                  "200": {
                    "description": "The PNG file.",
                    "content": {"image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}}
                  },
                  "400": {"$ref": "#/components/responses/BadRequest"},
                  "404": {"$ref": "#/components/responses/NotFound"},
                  "503": {"$ref": "#/components/responses/Unavailable"}
                }
              }
            },
            "/openapi.json": {
              "get": {
                "operationId": "getOpenAPIDocument",
                "tags": ["meta"],
                "summary": "This document",
                "responses": {
                  "200": {
                    "description": "The OpenAPI 3.1 document of the API.",
                    "content": {"application/json": {"schema": {"type": "object"}}}
                  }
                }
              }
            },
            "/healthz": {
              "get": {
                "operationId": "getHealth",
                "tags": ["operations"],
                "summary": "Liveness: the process answers",
                "description": "Checks nothing else: a process that answers is alive.",
                "responses": {
                  "200": {"$ref": "#/components/responses/StatusOK"}
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "getReadiness",
                "tags": ["operations"],
                "summary": "Readiness: the store answers and the work queue is connected",
                "description": "The store must answer a lookup by primary key within 3 seconds, and the connection that publishes to the work queue must be up.",
                "responses": {
                  "200": {"$ref": "#/components/responses/StatusOK"},
                  "503": {
                    "description": "Not ready; the message names what is not (`the store …`, `the work queue is not connected`).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
                  }
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "getMetrics",
                "tags": ["operations"],
                "summary": "The API's metrics, in Prometheus's text format",
                "description": "Counters `faafo_fractals_created_total`, `faafo_fractals_completed_total`, `faafo_fractals_failed_total`, `faafo_results_refused_total`, `faafo_determinism_violations_total`; the gauge `faafo_outbox_depth` (as of the last outbox pass); the histograms `faafo_create_duration_seconds` and `faafo_result_duration_seconds`.",
                "responses": {
                  "200": {
                    "description": "Prometheus's text exposition format 0.0.4.",
                    "content": {"text/plain": {"schema": {"type": "string"}}}
                  }
                }
              }
            },
            "/": {
              "get": {
                "operationId": "galleryHome",
                "tags": ["gallery"],
                "summary": "The gallery's first page: five fractals a page",
                "responses": {
                  "200": {"$ref": "#/components/responses/GalleryPage"},
                  "503": {"$ref": "#/components/responses/GalleryUnavailable"}
                }
              }
            },
            "/index": {
              "get": {
                "operationId": "galleryIndex",
                "tags": ["gallery"],
                "summary": "The gallery's first page, as the original named it",
                "responses": {
                  "200": {"$ref": "#/components/responses/GalleryPage"},
                  "503": {"$ref": "#/components/responses/GalleryUnavailable"}
                }
              }
            },
            "/index/{page}": {
              "get": {
                "operationId": "galleryPage",
                "tags": ["gallery"],
                "summary": "A page of the gallery",
                "parameters": [
                  {
                    "name": "page",
                    "in": "path",
                    "required": true,
                    "description": "1 or more; a page past the last (other than 1), or anything not a number, answers 404.",
                    "schema": {"type": "string"},
                    "example": "1"
                  }
                ],
                "responses": {
                  "200": {"$ref": "#/components/responses/GalleryPage"},
                  "404": {"$ref": "#/components/responses/GalleryNotFound"},
                  "503": {"$ref": "#/components/responses/GalleryUnavailable"}
                }
              }
            },
            "/fractals/new": {
              "get": {
                "operationId": "galleryForm",
                "tags": ["gallery"],
                "summary": "The form that creates fractals",
                "responses": {"200": {"$ref": "#/components/responses/GalleryPage"}}
              }
            },
            "/fractals": {
              "post": {
                "operationId": "galleryCreate",
                "tags": ["gallery"],
                "summary": "Create fractals from the form",
                "description": "Creates `count` fractals with the original client's random plane and a seed each.",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/x-www-form-urlencoded": {
                      "schema": {"$ref": "#/components/schemas/CreateForm"},
                      "examples": {"one": {"value": "count=1&width=64&height=48&iterations=100"}}
                    }
                  }
                },
                "responses": {
                  "303": {
                    "description": "Created: the gallery page that shows the first new fractal.",
                    "headers": {
                      "Location": {"required": true, "schema": {"type": "string"}}
                    }
                  },
                  "400": {
                    "description": "The form again, with what is wrong beside each field; or the form could not be read.",
                    "content": {"text/html": {"schema": {"type": "string"}}}
                  },
                  "403": {
                    "description": "The API asks a create_token of new fractals, which a browser's form cannot send: nothing is created.",
                    "content": {"text/html": {"schema": {"type": "string"}}}
                  },
                  "413": {
                    "description": "The form is larger than 16 KiB.",
                    "content": {"text/html": {"schema": {"type": "string"}}}
                  },
                  "503": {
                    "description": "The form again, saying how many fractals were created before the catalog refused.",
                    "content": {"text/html": {"schema": {"type": "string"}}}
                  }
                }
              }
            },
            "/fractals/{uuid}": {
              "get": {
                "operationId": "galleryFractal",
                "tags": ["gallery"],
                "summary": "One fractal's page: its image and everything stored",
                "parameters": [{"$ref": "#/components/parameters/uuid"}],
                "responses": {
                  "200": {"$ref": "#/components/responses/GalleryPage"},
                  "404": {"$ref": "#/components/responses/GalleryNotFound"},
                  "503": {"$ref": "#/components/responses/GalleryUnavailable"}
                }
              }
            },
            "/fractals/{uuid}/thumbnail.png": {
              "get": {
                "operationId": "galleryThumbnail",
                "tags": ["gallery"],
                "summary": "A completed fractal's thumbnail",
                "parameters": [{"$ref": "#/components/parameters/uuid"}],
                "responses": {
                  "200": {
                    "description": "The thumbnail, a PNG file.",
                    "content": {"image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}}
                  },
                  "404": {
                    "description": "An HTML page: no such fractal, or it has no image yet.",
                    "content": {"text/html": {"schema": {"type": "string"}}}
                  },
                  "503": {"$ref": "#/components/responses/GalleryUnavailable"}
                }
              }
            },
            "/gallery.css": {
              "get": {
                "operationId": "galleryStylesheet",
                "tags": ["gallery"],
                "summary": "The gallery's stylesheet",
                "responses": {
                  "200": {"description": "The stylesheet.", "content": {"text/css": {"schema": {"type": "string"}}}}
                }
              }
            }
          },
          "components": {
            "schemas": {
              "FractalObject": {
                "description": "A stored fractal: every stored field except the image bytes. Every key is always present; a value the fractal does not have yet is null, as in the original faafo (Flask-Restless).",
                "type": "object",
                "required": [
                  "uuid",
                  "width",
                  "height",
                  "iterations",
                  "xa",
                  "xb",
                  "ya",
                  "yb",
                  "cx",
                  "cy",
                  "seed",
                  "duration",
                  "size",
                  "checksum",
                  "url",
                  "generated_by",
                  "pixel_checksum",
                  "status",
                  "created_at",
                  "completed_at",
                  "attempts",
                  "failure"
                ],
                "properties": {
                  "uuid": {"type": "string", "format": "uuid", "description": "Lowercase, 8-4-4-4-12 hex digits."},
                  "width": {"type": "integer", "minimum": 2, "maximum": 16384, "description": "Pixels."},
                  "height": {"type": "integer", "minimum": 2, "maximum": 16384, "description": "Pixels."},
                  "iterations": {"type": "integer", "minimum": 1, "maximum": 100000},
                  "xa": {"type": "number"},
                  "xb": {"type": "number"},
                  "ya": {"type": "number"},
                  "yb": {"type": "number"},
                  "cx": {"type": ["number", "null"], "description": "The Julia constant's real part, as stored."},
                  "cy": {"type": ["number", "null"], "description": "The Julia constant's imaginary part, as stored."},
                  "seed": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": "An unsigned 64-bit integer, 0 to 18446744073709551615 (a bound left out of the schema: many tools cannot read an integer that large). The seed c was drawn from; null when c was given."
                  },
                  "duration": {
                    "type": ["number", "null"],
                    "description": "Seconds the worker took to render; null until completed."
                  },
                  "size": {"type": ["integer", "null"], "description": "Bytes of the PNG file; null until completed."},
                  "checksum": {
                    "type": ["string", "null"],
                    "description": "SHA-256 of the PNG file, lowercase hex; null until completed."
                  },
                  "url": {
                    "type": ["string", "null"],
                    "description": "Where the image is served (`/fractal/{uuid}`); null until completed."
                  },
                  "generated_by": {
                    "type": ["string", "null"],
                    "description": "The worker whose result was accepted; null until completed."
                  },
                  "pixel_checksum": {
                    "type": ["string", "null"],
                    "description": "SHA-256 of the raw pixels, lowercase hex; null until completed or when the worker sent none."
                  },
                  "status": {"type": "string", "enum": ["pending", "completed", "failed"]},
                  "created_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "ISO 8601 with fractional seconds, on the API's clock."
                  },
                  "completed_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "null until completed."
                  },
                  "attempts": {"type": "integer", "minimum": 0},
                  "failure": {
                    "type": ["string", "null"],
                    "description": "Why a worker gave the fractal up (status `failed`); null otherwise."
                  }
                },
                "example": {
                  "uuid": "154c7b41-108e-4696-a059-1bde9bf03d0a",
                  "width": 649,
                  "height": 869,
                  "iterations": 362,
                  "xa": -2.5,
                  "xb": 2.5,
                  "ya": -1.5,
                  "yb": 1.5,
                  "cx": -0.8,
                  "cy": 0.156,
                  "seed": null,
                  "duration": 4.163147,
                  "size": 71585,
                  "checksum": "103c056f709b86f5487a24dd977d3ab88fe093791f4f6b6d1c8924d122031902",
                  "url": "/fractal/154c7b41-108e-4696-a059-1bde9bf03d0a",
                  "generated_by": "worker-1",
                  "pixel_checksum": null,
                  "status": "completed",
                  "created_at": "2015-04-02T03:55:02.708Z",
                  "completed_at": "2015-04-02T03:55:07.101Z",
                  "attempts": 1,
                  "failure": null
                }
              },
              "FractalPage": {
                "description": "One page of fractals, in Flask-Restless's shape.",
                "type": "object",
                "required": ["num_results", "objects", "page", "total_pages"],
                "properties": {
                  "num_results": {"type": "integer", "minimum": 0, "description": "Fractals stored in all."},
                  "objects": {"type": "array", "items": {"$ref": "#/components/schemas/FractalObject"}},
                  "page": {"type": "integer", "minimum": 1},
                  "total_pages": {"type": "integer", "minimum": 0}
                }
              },
              "CreateFractal": {
                "description": "A fractal to render. c is `cx` and `cy` when both are given, else drawn from `seed`; with neither, the API draws a seed. Other keys are ignored. Besides each field's range, width × height × iterations must be within the work budget (2^36 by default).",
                "type": "object",
                "required": ["width", "height", "iterations", "xa", "xb", "ya", "yb"],
                "properties": {
                  "uuid": {
                    "type": ["string", "null"],
                    "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
                    "description": "The fractal's uuid, chosen by the client; the API makes one when it is absent. The same uuid with the same parameters answers the stored fractal (200); with other parameters, 409."
                  },
                  "width": {"type": "integer", "minimum": 2, "maximum": 16384},
                  "height": {"type": "integer", "minimum": 2, "maximum": 16384},
                  "iterations": {"type": "integer", "minimum": 1, "maximum": 100000},
                  "xa": {"type": "number"},
                  "xb": {"type": "number", "description": "Must differ from xa."},
                  "ya": {"type": "number"},
                  "yb": {"type": "number", "description": "Must differ from ya."},
                  "cx": {"type": ["number", "null"], "description": "Given together with cy, or not at all."},
                  "cy": {"type": ["number", "null"], "description": "Given together with cx, or not at all."},
                  "seed": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": "An unsigned 64-bit integer, 0 to 18446744073709551615 (a bound left out of the schema: many tools cannot read an integer that large). c is drawn from it when cx and cy are not given."
                  }
                }
              },
              "ResultUpload": {
                "description": "A worker's result. The image's length and SHA-256 must be `size` and `checksum`, and it must be a PNG of the fractal's width and height.",
                "type": "object",
                "required": ["duration", "checksum", "size", "image", "generated_by"],
                "properties": {
                  "duration": {"type": "number", "minimum": 0, "description": "Seconds the render took."},
                  "checksum": {
                    "type": "string",
                    "pattern": "^[0-9A-Fa-f]{64}$",
                    "description": "SHA-256 of the PNG file."
                  },
                  "size": {"type": "integer", "description": "Bytes of the PNG file."},
                  "image": {
                    "type": "string",
                    "contentEncoding": "base64",
                    "contentMediaType": "image/png",
                    "description": "The PNG file in base64."
                  },
                  "generated_by": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "description": "The worker's name."
                  },
                  "pixel_checksum": {
                    "type": ["string", "null"],
                    "pattern": "^[0-9A-Fa-f]{64}$",
                    "description": "SHA-256 of the raw pixels."
                  }
                }
              },
              "TaskFailure": {
                "description": "A worker gave the task up for good, and says why.",
                "type": "object",
                "required": ["reason", "generated_by"],
                "properties": {
                  "reason": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 2000,
                    "pattern": "\\S",
                    "description": "Trimmed of white space, 1 to 2000 characters: at least one that is not white space."
                  },
                  "generated_by": {"type": "string", "minLength": 1, "maxLength": 255}
                }
              },
              "ErrorMessage": {
                "description": "Every error of the JSON API: a sentence naming the problem.",
                "type": "object",
                "required": ["message"],
                "properties": {"message": {"type": "string"}}
              },
              "CreateForm": {
                "description": "The gallery's form. A missing field counts as empty; each must be a whole number in its range.",
                "type": "object",
                "properties": {
                  "count": {"type": "string", "description": "1 to 10 fractals."},
                  "width": {"type": "string", "description": "Pixels, 2 to 16384."},
                  "height": {"type": "string", "description": "Pixels, 2 to 16384."},
                  "iterations": {"type": "string", "description": "1 to 100000."}
                }
              }
            },
            "securitySchemes": {
              "workerToken": {"type": "http", "scheme": "bearer", "description": "`worker_token`: asked of result and failure PUTs when the API is started with it."},
              "operatorToken": {"type": "http", "scheme": "bearer", "description": "`operator_token`: asked of DELETE when the API is started with it; accepted for every write."},
              "createToken": {"type": "http", "scheme": "bearer", "description": "`create_token`: asked of POST /v1/fractal when the API is started with it."}
            },
            "responses": {
              "Unauthorized": {
                "description": "The API asks a token of this request and none or a wrong one came: the message names the option (worker_token, operator_token, create_token). Nothing was changed.",
                "headers": {"WWW-Authenticate": {"required": true, "schema": {"type": "string", "example": "Bearer realm=\"faafo\""}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "BadRequest": {
                "description": "The request is not acceptable: unparsable JSON, a missing, null or mistyped field, a value outside the render contract's limits, a malformed uuid or query parameter. The message names the problem.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "NotFound": {
                "description": "There is no such fractal (for an image: none, or not rendered yet).",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "Conflict": {
                "description": "The request contradicts what is stored.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "CorruptResult": {
                "description": "The result's image contradicts its own size, SHA-256 or pixel checksum, or cannot be decoded whole.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "ContentTooLarge": {
                "description": "The body is larger than the route accepts.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "UnsupportedMediaType": {
                "description": "The body was sent with a Content-Type that is not JSON (`application/json`, optionally with parameters, or `application/…+json`). A body without Content-Type is read as JSON.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "StatusOK": {
                "description": "`{\"status\": \"ok\"}`.",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": ["status"],
                      "properties": {"status": {"type": "string", "const": "ok"}}
                    }
                  }
                }
              },
              "Unavailable": {
                "description": "The store cannot be read or written right now; nothing was half-written. Retry later.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}
              },
              "Fractal": {
                "description": "The fractal.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FractalObject"}}}
              },
              "GalleryPage": {
                "description": "An HTML page.",
                "content": {"text/html": {"schema": {"type": "string"}}}
              },
              "GalleryNotFound": {
                "description": "An HTML page saying what does not exist.",
                "content": {"text/html": {"schema": {"type": "string"}}}
              },
              "GalleryUnavailable": {
                "description": "An HTML page saying the fractals cannot be read right now.",
                "content": {"text/html": {"schema": {"type": "string"}}}
              }
            },
            "parameters": {
              "uuid": {
                "name": "uuid",
                "in": "path",
                "required": true,
                "description": "A fractal's uuid, in either case; anything else answers 400 (gallery: 404).",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
                },
                "example": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
              }
            }
          }
        }
        """#
}
