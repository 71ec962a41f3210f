import Foundation
import Logging
import Testing

import FaafoLogging

@Suite struct TutorialLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func append(_ line: String) { lock.withLock { stored.append(line) } }
        var all: [String] { lock.withLock { stored } }
    }

    @Test func writesTheTutorialsLineForm() {
        let lines = Lines()
        // 2015-04-02 03:55:02.708 UTC
        let handler = TutorialLogHandler(
            label: "faafo.client", level: .info, processID: 19029, timeZone: TimeZone(identifier: "UTC")!,
            clock: { Date(timeIntervalSince1970: 1_427_946_902.708_5) }, write: lines.append)
        let logger = Logger(label: "faafo.client") { _ in handler }
        logger.info("generating 6 task(s)")
        logger.debug("not at INFO")
        logger.warning("with metadata", metadata: ["uuid": "1234", "attempt": "2"])
        #expect(lines.all == [
            "2015-04-02 03:55:02.708 19029 INFO faafo.client [-] generating 6 task(s)\n",
            "2015-04-02 03:55:02.708 19029 WARNING faafo.client [-] with metadata attempt=2 uuid=1234\n",
        ])
    }

    @Test func levelNamesArePythons() {
        #expect(TutorialLogHandler.levelName(.notice) == "INFO")
        #expect(TutorialLogHandler.levelName(.critical) == "CRITICAL")
        #expect(TutorialLogHandler.levelName(.warning) == "WARNING")
    }
}
