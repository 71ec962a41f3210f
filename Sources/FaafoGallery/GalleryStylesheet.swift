/// `/gallery.css`, served by the app itself (the machines that run it may have no
/// internet). One column on a phone; the thumbnail beside its table from 40em on.
enum GalleryStylesheet {
    static let css = """
        :root {
          --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --paper: #ffffff; --page: #f3f5f8;
          --accent: #2f5fb3; --pending: #9a6a00; --failed: #b3261e; --completed: #1e7a3c;
          color-scheme: light;
        }
        * { box-sizing: border-box; }
        body {
          margin: 0; background: var(--page); color: var(--ink);
          font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
        }
        a { color: var(--accent); }
        header.site, footer.site {
          display: flex; flex-wrap: wrap; align-items: baseline; gap: .25em 1em;
          padding: .75em 1em; background: var(--ink); color: #fff;
        }
        header.site a { color: #fff; }
        header.site .brand { font-weight: 700; font-size: 1.3em; text-decoration: none; }
        header.site .tagline { color: #c5ccda; flex: 1; }
        footer.site { background: transparent; color: var(--muted); font-size: .85em; }
        footer.site a { color: var(--muted); }
        main { max-width: 62em; margin: 0 auto; padding: 1em; }
        h1 { font-size: 1.5em; margin: .25em 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.2em; margin-top: 0; }
        .summary, .notice, .empty { color: var(--muted); }
        .code, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; overflow-wrap: anywhere; }

        .pagination ul { display: flex; flex-wrap: wrap; gap: .35em; list-style: none; padding: 0; margin: 1em 0; }
        .pagination a, .pagination span {
          display: inline-block; min-width: 2.4em; padding: .35em .6em; text-align: center;
          border: 1px solid var(--line); border-radius: .35em; background: var(--paper); text-decoration: none;
        }
        .pagination [aria-current] { background: var(--accent); border-color: var(--accent); color: #fff; }
        .pagination .gap { padding: .35em .2em; color: var(--muted); }

        article.fractal {
          display: grid; grid-template-columns: 1fr; gap: .75em; margin: 0 0 1em; padding: .75em;
          background: var(--paper); border: 1px solid var(--line); border-radius: .5em;
        }
        article.fractal .picture { display: flex; justify-content: center; align-items: flex-start; }
        img.thumbnail { display: block; max-width: 100%; height: auto; border-radius: .25em; image-rendering: auto; }
        .placeholder {
          display: flex; align-items: center; justify-content: center; width: 160px; height: 120px;
          border: 2px dashed currentColor; border-radius: .25em; text-decoration: none; font-weight: 600;
        }
        .pending .placeholder, .status.pending { color: var(--pending); }
        .failed .placeholder, .status.failed { color: var(--failed); }
        .status.completed { color: var(--completed); }
        .status { font-weight: 600; text-transform: uppercase; font-size: .85em; letter-spacing: .04em; }
        @media (min-width: 40em) {
          article.fractal { grid-template-columns: 170px 1fr; }
        }

        table.parameters { border-collapse: collapse; width: 100%; font-size: .9em; }
        table.parameters th, table.parameters td {
          text-align: left; vertical-align: top; padding: .2em .5em; border-bottom: 1px solid var(--line);
        }
        table.parameters th { width: 9em; color: var(--muted); font-weight: 600; white-space: nowrap; }
        table.parameters td.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
        table.parameters .line { display: block; }
        table.parameters tr:last-child th, table.parameters tr:last-child td { border-bottom: 0; }

        figure.full { margin: 1em 0; }
        figure.full img { display: block; max-width: 100%; height: auto; }

        section.create { margin-top: 2em; padding: 1em; background: var(--paper); border: 1px solid var(--line); border-radius: .5em; }
        form.create { display: grid; grid-template-columns: repeat(auto-fit, minmax(11em, 1fr)); gap: .75em 1em; align-items: start; }
        .field label { display: block; font-weight: 600; }
        .field input { width: 100%; padding: .4em; font: inherit; border: 1px solid var(--line); border-radius: .3em; }
        .field .hint { display: block; color: var(--muted); font-size: .8em; }
        .field.invalid input { border-color: var(--failed); outline: 1px solid var(--failed); }
        .error { color: var(--failed); font-weight: 600; }
        .field .error { display: block; font-size: .85em; }
        form.create button {
          align-self: end; padding: .5em 1.2em; font: inherit; font-weight: 600; color: #fff;
          background: var(--accent); border: 0; border-radius: .3em; cursor: pointer;
        }

        """
}
