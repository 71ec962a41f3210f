/// A test-only page, served beside the gallery (same origin), that drives it in an
/// iframe the way a person would and writes what it saw into its own DOM, base64 JSON in
/// `<pre id="result">`, for `chromium --dump-dom` to capture.
///
/// It loads `/`, follows the "Next" link, fills in and submits the form, then waits
/// (letting the page reload itself) until the new fractal shows a decoded thumbnail.
/// Each wait is a `/probe/wait` request that the server answers after 100 ms: chromium's
/// virtual clock stands still while a request is open, so real time passes for the
/// workers while page timers (the refresh) advance on virtual time.
enum BrowserProbe {
    /// What the form on the second page is filled in with.
    static let form = ["count": 1, "width": 96, "height": 64, "iterations": 64]

    static let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>gallery probe</title></head>
        <body>
        <pre id="result">running</pre>
        <iframe id="gallery" width="1000" height="800"></iframe>
        <script>
        const frame = document.getElementById('gallery');
        const out = {};

        // Runs `action`, which navigates the frame, and resolves with the document loaded.
        function visit(action) {
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('no page loaded within 20 s')), 20000);
            frame.onload = () => { clearTimeout(timer); frame.onload = null; resolve(frame.contentDocument); };
            action();
          });
        }
        const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

        function cards(doc) {
          return [...doc.querySelectorAll('article.fractal')].map((article) => {
            const img = article.querySelector('img.thumbnail');
            return {
              uuid: article.id.replace('fractal-', ''),
              status: article.className.replace('fractal ', ''),
              thumbnail: img && {
                complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
                width: Number(img.getAttribute('width')), link: img.parentElement.getAttribute('href'),
              },
            };
          });
        }
        function seen(doc) {
          return { path: frame.contentWindow.location.pathname, cards: cards(doc) };
        }

        async function run() {
          let doc = await visit(() => { frame.src = '/'; });
          out.first = seen(doc);
          doc = await visit(() => doc.querySelector('a[rel=next]').click());
          out.second = seen(doc);

          const known = new Set([...out.first.cards, ...out.second.cards].map((card) => card.uuid));
          const form = doc.querySelector('form.create');
          for (const [name, value] of Object.entries(\(formJSON))) { form.querySelector('#' + name).value = String(value); }
          doc = await visit(() => form.querySelector('button[type=submit]').click());
          out.afterCreate = seen(doc);
          const created = out.afterCreate.cards.find((card) => !known.has(card.uuid));
          out.created = created ? created.uuid : null;

          // The gallery reloads itself while the task is pending; wait until it shows it done.
          for (let attempt = 0; created && attempt < 120; attempt++) {
            const card = cards(frame.contentDocument).find((c) => c.uuid === created.uuid);
            if (card && card.status === 'completed' && card.thumbnail && card.thumbnail.naturalWidth > 0) {
              out.completed = card;
              break;
            }
            await fetch('/probe/wait');
            await pause(500);
          }
        }

        run()
          .catch((error) => { out.error = String(error && error.stack || error); })
          .finally(() => {
            document.getElementById('result').textContent = btoa(unescape(encodeURIComponent(JSON.stringify(out))));
          });
        </script>
        </body>
        </html>

        """

    static var formJSON: String {
        "{" + form.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// What the probe reports.
    struct Report: Decodable {
        struct Card: Decodable {
            struct Thumbnail: Decodable {
                let complete: Bool
                let naturalWidth: Int
                let naturalHeight: Int
                let width: Int
                let link: String?
            }
            let uuid: String
            let status: String
            let thumbnail: Thumbnail?
        }
        struct Seen: Decodable {
            let path: String
            let cards: [Card]
        }
        let first: Seen?
        let second: Seen?
        let afterCreate: Seen?
        let created: String?
        let completed: Card?
        let error: String?
    }
}
