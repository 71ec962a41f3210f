import FractalStore
import PostgresNIO

/// Errors as sentences that say what went wrong but never carry a statement's arguments
/// (an image, say) nor a password. PSQLError's own description hides everything.
enum PostgresErrors {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as StoreError:
            return error.message
        case let error as PSQLError:
            if let server = error.serverInfo {
                let message = server[.message] ?? "error"
                let state = server[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return "the server says: \(message)\(state)"
            }
            var text = "\(error.code)"
            if let underlying = error.underlying { text += ": \(describe(underlying))" }
            return text
        default:
            return String(describing: error)
        }
    }
}
