import Hummingbird

/// The OpenAPI 3.1 document of every route faafo-api serves: `openapi.json` beside this
/// file, written by hand so that it describes the wire shapes as they are
/// (docs/wire-contract.md) rather than ones a generator would choose. Served at
/// `GET /openapi.json`; `OpenAPIDocumentTests` checks that it parses, that its paths and
/// methods are exactly the router's, and that requests built from its examples get the
/// statuses it documents.
///
/// The EmbedOpenAPIDocument build plugin compiles the file into the module (`json`), as the
/// gallery's templates are, so that an installed `faafo-api` needs nothing beside its binary.
enum OpenAPIDocument {
    /// The document as served, made once.
    static let buffer = ByteBuffer(string: json)
}
