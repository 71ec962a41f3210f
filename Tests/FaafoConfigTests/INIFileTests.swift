import Testing

@testable import FaafoConfig

@Suite struct INIFileTests {
    @Test func readsTheOriginalsForm() throws {
        let text = """
            # faafo.conf, as the original's install script wrote it
            [DEFAULT]
            transport_url = amqp://guest:guest@localhost:5672/

            ; a comment of the other kind
            database_url = sqlite:////var/lib/faafo/faafo.db
              endpoint_url=http://localhost:8080
            bind_port: 8080
            quoted = "a value"
            empty =
            url_with_hash = http://example.com/#anchor
            """
        let file = try INIFile(parsing: text, path: "faafo.conf")
        #expect(file.defaultSection.map(\.key) == [
            "transport_url", "database_url", "endpoint_url", "bind_port", "quoted", "empty", "url_with_hash",
        ])
        let values = Dictionary(uniqueKeysWithValues: file.defaultSection.map { ($0.key, $0.value) })
        #expect(values["transport_url"] == "amqp://guest:guest@localhost:5672/")
        #expect(values["endpoint_url"] == "http://localhost:8080")
        #expect(values["bind_port"] == "8080")
        #expect(values["quoted"] == "a value")
        #expect(values["empty"] == "")
        #expect(values["url_with_hash"] == "http://example.com/#anchor", "only whole-line comments")
        #expect(file.defaultSection.first?.line == 3)
    }

    @Test func equalsBeforeColonSplitsAtEquals() throws {
        let file = try INIFile(parsing: "[DEFAULT]\ntransport_url = amqp://h:5672/\n", path: "f")
        #expect(file.entries.first?.key == "transport_url")
        #expect(file.entries.first?.value == "amqp://h:5672/")
    }

    @Test func keepsOtherSectionsApart() throws {
        let text = "[DEFAULT]\na = 1\n[database]\nconnection = x\n[default]\nb = 2\n"
        let file = try INIFile(parsing: text, path: "f")
        #expect(file.entries.count == 3)
        #expect(file.defaultSection.map(\.key) == ["a", "b"])
    }

    @Test func readsWindowsLineEndingsAndAByteOrderMark() throws {
        let file = try INIFile(parsing: "\u{FEFF}[DEFAULT]\r\nbind_port = 9000\r\n\r\nworkers = 2\r\n", path: "f")
        #expect(file.defaultSection.map(\.value) == ["9000", "2"])
        #expect(file.defaultSection.map(\.line) == [2, 4])
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        let line: Int
        let mentions: String
        var testDescription: String { label }
    }

    static let malformed: [Malformed] = [
        Malformed(label: "no separator", text: "[DEFAULT]\nbind_port 8080\n", line: 2, mentions: "bind_port 8080"),
        Malformed(label: "unclosed section", text: "# x\n\n[DEFAULT\n", line: 3, mentions: "[DEFAULT"),
        Malformed(label: "empty section", text: "[]\n", line: 1, mentions: "[name]"),
        Malformed(label: "no key", text: "[DEFAULT]\n = 3\n", line: 2, mentions: "key"),
        Malformed(label: "key with a space", text: "[DEFAULT]\nbind port = 3\n", line: 2, mentions: "bind port"),
        Malformed(label: "before any section", text: "\nbind_port = 1\n[DEFAULT]\n", line: 2, mentions: "[DEFAULT]"),
    ]

    @Test(arguments: malformed) func reportsAMalformedLineWithItsNumber(_ bad: Malformed) {
        #expect {
            _ = try INIFile(parsing: bad.text, path: "/etc/faafo/faafo.conf")
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.code == .malformedLine
                && error.source == .file(path: "/etc/faafo/faafo.conf", line: bad.line)
                && error.description.hasPrefix("/etc/faafo/faafo.conf:\(bad.line): malformed line")
                && error.description.contains(bad.mentions)
        }
    }
}
