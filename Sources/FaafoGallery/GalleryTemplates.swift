import Mustache

/// The gallery's mustache templates, compiled into the module rather than shipped as
/// resource files, so that an installed `faafo-api` needs nothing beside its binary.
///
/// Every value from the database goes through `{{name}}`, which HTML-escapes it; no
/// template uses the unescaped `{{{name}}}`.
enum GalleryTemplates {
    /// Every page: the head, the site header and footer. Pages fill in `content`.
    static let layout = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        {{#refreshSeconds}}<meta http-equiv="refresh" content="{{refreshSeconds}}">{{/refreshSeconds}}
        <title>{{title}} · faafo</title>
        <link rel="stylesheet" href="/gallery.css">
        </head>
        <body>
        <header class="site">
        <a class="brand" href="/">faafo</a>
        <span class="tagline">Fractals as a Service</span>
        <a class="new" href="/fractals/new">New fractals</a>
        </header>
        <main>
        {{$content}}{{/content}}
        </main>
        <footer class="site">
        faafo, the Fractals application of OpenStack's First App tutorial, in Swift ·
        <a href="/v1/fractal">JSON API</a>
        </footer>
        </body>
        </html>

        """

    /// `/`, `/index/<page>`: five fractals, pagination above and below, the form.
    static let index = """
        {{<layout}}{{$content}}
        <h1>Fractals</h1>
        <p class="summary">{{summary}}</p>
        {{#refreshSeconds}}<p class="notice">Tasks are pending: this page reloads every {{refreshSeconds}} seconds until they are done.</p>{{/refreshSeconds}}
        {{#pagination}}{{>pagination}}{{/pagination}}
        {{#fractals}}{{>card}}{{/fractals}}
        {{^fractals}}<p class="empty">No fractals yet: create some with the form below.</p>{{/fractals}}
        {{#pagination}}{{>pagination}}{{/pagination}}
        {{#form}}{{>form}}{{/form}}
        {{/content}}{{/layout}}
        """

    /// One fractal in the gallery: its thumbnail (or its status while it has no image) and
    /// the original's table.
    static let card = """
        <article class="fractal {{status}}" id="fractal-{{uuid}}">
        <div class="picture">
        {{#completed}}<a href="{{imageURL}}"><img class="thumbnail" src="{{thumbnailURL}}" width="{{thumbnailWidth}}" height="{{thumbnailHeight}}" alt="Thumbnail of fractal {{uuid}}"></a>{{/completed}}
        {{^completed}}<a class="placeholder" href="{{pageURL}}">{{status}}</a>{{/completed}}
        </div>
        <table class="parameters">
        {{#summaryRows}}{{>row}}{{/summaryRows}}
        </table>
        </article>

        """

    /// One row of a parameter table; a cell may hold several lines and a link.
    static let row = """
        <tr><th scope="row">{{label}}</th><td{{#code}} class="code"{{/code}}>{{#link}}<a href="{{link}}">{{/link}}{{#lines}}<span class="line">{{.}}</span>{{/lines}}{{#link}}</a>{{/link}}</td></tr>

        """

    /// Links to the first, previous, nearby, next and last pages.
    static let pagination = """
        <nav class="pagination" aria-label="Pages">
        <ul>
        {{#previousURL}}<li><a href="{{previousURL}}" rel="prev">‹ Previous</a></li>{{/previousURL}}
        {{#links}}
        {{#gap}}<li class="gap">…</li>{{/gap}}
        {{^gap}}{{#current}}<li><span aria-current="page">{{number}}</span></li>{{/current}}{{^current}}<li><a href="{{url}}">{{number}}</a></li>{{/current}}{{/gap}}
        {{/links}}
        {{#nextURL}}<li><a href="{{nextURL}}" rel="next">Next ›</a></li>{{/nextURL}}
        </ul>
        </nav>

        """

    /// The form that creates fractals; a field the server refused shows why beside it.
    static let form = """
        <section class="create" id="create">
        <h2>New fractals</h2>
        <p>Each gets a random plane and constant, as <code>faafo create</code> draws them.</p>
        {{#failure}}<p class="error">{{failure}}</p>{{/failure}}
        <form class="create" method="post" action="/fractals">
        {{#fields}}
        <div class="field{{#error}} invalid{{/error}}">
        <label for="{{name}}">{{label}}</label>
        <input id="{{name}}" name="{{name}}" type="number" min="{{minimum}}" max="{{maximum}}" value="{{value}}" required{{#error}} aria-invalid="true" aria-describedby="{{name}}-error"{{/error}}>
        <span class="hint">{{hint}}</span>
        {{#error}}<span class="error" id="{{name}}-error">{{error}}</span>{{/error}}
        </div>
        {{/fields}}
        <button type="submit">Create</button>
        </form>
        </section>

        """

    /// `/fractals/<uuid>`: the image and everything stored about it.
    static let fractal = """
        {{<layout}}{{$content}}
        <h1>Fractal <span class="code">{{uuid}}</span></h1>
        <p class="status-line"><span class="status {{status}}">{{status}}</span>
        {{#refreshSeconds}}Waiting for a worker: this page reloads every {{refreshSeconds}} seconds.{{/refreshSeconds}}</p>
        {{#completed}}<figure class="full"><a href="{{imageURL}}"><img src="{{imageURL}}" width="{{width}}" height="{{height}}" alt="Fractal {{uuid}}"></a></figure>{{/completed}}
        <table class="parameters">
        {{#detailRows}}{{>row}}{{/detailRows}}
        </table>
        <p><a href="/">Back to the gallery</a></p>
        {{/content}}{{/layout}}
        """

    /// `/fractals/new`, and the form again when the server refused what was sent.
    static let newFractals = """
        {{<layout}}{{$content}}
        <h1>New fractals</h1>
        {{#form}}{{>form}}{{/form}}
        <p><a href="/">Back to the gallery</a></p>
        {{/content}}{{/layout}}
        """

    /// A page that says what went wrong: no such fractal or page, or a store that failed.
    static let error = """
        {{<layout}}{{$content}}
        <h1>{{heading}}</h1>
        <p class="message">{{message}}</p>
        <p><a href="/">Back to the gallery</a></p>
        {{/content}}{{/layout}}
        """

    /// All templates, each under the name the others use for it as a partial or parent.
    static let library: MustacheLibrary = {
        let sources = [
            "layout": layout, "index": index, "card": card, "row": row, "pagination": pagination, "form": form,
            "fractal": fractal, "newFractals": newFractals, "error": error,
        ]
        var library = MustacheLibrary()
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            do {
                try library.register(source, named: name)
            } catch {
                // The templates are constants of this module, and a test renders each one.
                fatalError("gallery template '\(name)' does not parse: \(error)")
            }
        }
        return library
    }()
}
