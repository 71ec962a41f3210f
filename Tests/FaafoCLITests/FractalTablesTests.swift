import FaafoWire
import FractalCore
import Testing

@testable import FaafoCLI

@Suite struct FractalTablesTests {
    static let completed = FractalObject(
        uuid: "154c7b41-108e-4696-a059-1bde9bf03d0a",
        fractal: FractalRequest(
            width: 649, height: 869, iterations: 362, xa: -3.6172612345678, xb: 2.5, ya: -1.5, yb: 1.5e-05),
        duration: 4.1631471234, size: 71585,
        checksum: "103c056f709b86f5487a24dd977d3ab88fe093791f4f6b6d1c8924d122031902", generatedBy: "worker-1",
        status: .completed, createdAt: "2015-04-02T03:55:02Z")

    /// The tutorial's table (docs/wire-contract.md), row for row: the layout PrettyTable gave it.
    @Test func textTableDrawsTheTutorialsLayout() {
        var table = TextTable(headers: ["Parameter", "Value"], alignments: [.left, .left])
        table.addRow(["uuid", "154c7b41-108e-4696-a059-1bde9bf03d0a"])
        table.addRow(["duration", "4.163147 seconds"])
        table.addRow(["dimensions", "649 x 869 pixels"])
        table.addRow(["iterations", "362"])
        table.addRow(["size", "71585 bytes"])
        table.addRow(["checksum", "103c056f709b86f5487a24dd977d3ab88fe093791f4f6b6d1c8924d122031902"])
        #expect(
            table.rendered == """
                +------------+------------------------------------------------------------------+
                | Parameter  | Value                                                            |
                +------------+------------------------------------------------------------------+
                | uuid       | 154c7b41-108e-4696-a059-1bde9bf03d0a                             |
                | duration   | 4.163147 seconds                                                 |
                | dimensions | 649 x 869 pixels                                                 |
                | iterations | 362                                                              |
                | size       | 71585 bytes                                                      |
                | checksum   | 103c056f709b86f5487a24dd977d3ab88fe093791f4f6b6d1c8924d122031902 |
                +------------+------------------------------------------------------------------+
                """)
    }

    @Test func showPrintsEveryRowOfTheOriginal() {
        #expect(
            FractalTables.show(Self.completed).rendered == """
                +--------------+------------------------------------------------------------------+
                | Parameter    | Value                                                            |
                +--------------+------------------------------------------------------------------+
                | uuid         | 154c7b41-108e-4696-a059-1bde9bf03d0a                             |
                | duration     | 4.163147 seconds                                                 |
                | dimensions   | 649 x 869 pixels                                                 |
                | iterations   | 362                                                              |
                | xa           | -3.6172612345678                                                 |
                | xb           | 2.5                                                              |
                | ya           | -1.5                                                             |
                | yb           | 1.5e-05                                                          |
                | size         | 71585 bytes                                                      |
                | checksum     | 103c056f709b86f5487a24dd977d3ab88fe093791f4f6b6d1c8924d122031902 |
                | generated_by | worker-1                                                         |
                +--------------+------------------------------------------------------------------+
                """)
    }

    @Test func showAddsTheFailureOfAFailedFractal() {
        let failed = FractalObject(
            uuid: "00000000-0000-4000-8000-000000000002",
            fractal: FractalRequest(width: 64, height: 48, iterations: 100, xa: -2, xb: 2, ya: -1.5, yb: 1.5),
            generatedBy: "worker-3", status: .failed, createdAt: "2025-01-01T00:00:00Z", failure: "cannot render")
        let lines = FractalTables.show(failed).rendered.split(separator: "\n")
        #expect(lines.contains("| generated_by | worker-3                             |"))
        #expect(lines[lines.count - 2] == "| failure      | cannot render                        |")
    }

    @Test func showMarksWhatAPendingFractalLacks() {
        let pending = FractalObject(
            uuid: "00000000-0000-4000-8000-000000000001",
            fractal: FractalRequest(width: 64, height: 48, iterations: 100, xa: -2, xb: 2, ya: -1.5, yb: 1.5),
            createdAt: "2025-01-01T00:00:00Z")
        #expect(
            FractalTables.show(pending).rendered == """
                +--------------+--------------------------------------+
                | Parameter    | Value                                |
                +--------------+--------------------------------------+
                | uuid         | 00000000-0000-4000-8000-000000000001 |
                | duration     | -                                    |
                | dimensions   | 64 x 48 pixels                       |
                | iterations   | 100                                  |
                | xa           | -2.0                                 |
                | xb           | 2.0                                  |
                | ya           | -1.5                                 |
                | yb           | 1.5                                  |
                | size         | -                                    |
                | checksum     | -                                    |
                | generated_by | -                                    |
                +--------------+--------------------------------------+
                """)
    }

    /// PrettyTable's default: every column centred, an odd spare space going left of an
    /// even-length text and right of an odd-length one.
    @Test func listCentresAsPrettyTableDoes() {
        var small = Self.completed
        small.uuid = "19dd2b8a-0bab-45da-a1ef-c4b29c2303e4"
        small.fractal.width = 786
        small.fractal.height = 690
        small.size = 984
        var pending = Self.completed
        pending.uuid = "a0b1c2d3-0000-4000-8000-000000000002"
        pending.fractal.width = 1024
        pending.fractal.height = 256
        pending.size = nil
        #expect(
            FractalTables.list([Self.completed, small, pending]).rendered == """
                +--------------------------------------+-------------------+-------------+
                |                 UUID                 |     Dimensions    |   Filesize  |
                +--------------------------------------+-------------------+-------------+
                | 154c7b41-108e-4696-a059-1bde9bf03d0a |  649 x 869 pixels | 71585 bytes |
                | 19dd2b8a-0bab-45da-a1ef-c4b29c2303e4 |  786 x 690 pixels |  984 bytes  |
                | a0b1c2d3-0000-4000-8000-000000000002 | 1024 x 256 pixels |      -      |
                +--------------------------------------+-------------------+-------------+
                """)
    }

    @Test func anEmptyListIsItsHeader() {
        #expect(
            FractalTables.list([]).rendered == """
                +------+------------+----------+
                | UUID | Dimensions | Filesize |
                +------+------------+----------+
                +------+------------+----------+
                """)
    }

    @Test(arguments: [
        (-2.0, "-2.0"), (0.5, "0.5"), (1.5e-05, "1.5e-05"), (1e16, "1e+16"), (-3.6172612345678, "-3.6172612345678"),
        (0.1 + 0.2, "0.30000000000000004"),
    ])
    func doublesPrintAsPythonPrintsThem(_ value: Double, _ text: String) {
        #expect(FractalTables.pythonString(value) == text)
    }
}
