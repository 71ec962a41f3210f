import Crypto
import Foundation
import Hummingbird

/// The bearer tokens the API asks of the requests that change fractals. Each is `nil`
/// by default, which leaves its routes open as the original's were, so that the
/// original faafo worker and CLI keep working. Reads are never guarded.
public struct WriteCredentials: Hashable, Sendable {
    /// Asked of result and failure PUTs (`worker_token`).
    public var worker: String?
    /// Asked of DELETE (`operator_token`), and accepted wherever another token is asked.
    public var `operator`: String?
    /// Asked of `POST /v1/fractal` (`create_token`).
    public var create: String?

    /// Every route open.
    public static let open = WriteCredentials()

    public init(worker: String? = nil, operator: String? = nil, create: String? = nil) {
        self.worker = worker
        self.operator = `operator`
        self.create = create
    }

    /// Which token a route asks for.
    enum Role {
        case worker, `operator`, create

        /// The option that sets it, for the 401's message.
        var option: String {
            switch self {
            case .worker: "worker_token (or operator_token)"
            case .operator: "operator_token"
            case .create: "create_token (or operator_token)"
            }
        }
    }

    /// Returns when `request` may do what `role` guards, or throws a 401 that names the
    /// credential needed (never the token sent or expected).
    func authorize(_ request: Request, as role: Role) throws {
        let required: String?
        switch role {
        case .worker: required = worker
        case .operator: required = `operator`
        case .create: required = create
        }
        guard let required else { return }
        let accepted = role == .operator ? [required] : [required] + [`operator`].compactMap { $0 }
        let presented = Self.bearerToken(in: request.headers[.authorization])
        // Both checked whichever matches, so the time taken does not say which one did.
        let matches = accepted.map { Self.sameToken(presented, $0) }
        guard matches.contains(true) else {
            let problem = presented == nil ? "needs" : "refused the credential: it needs"
            throw APIError(
                .unauthorized, "this request \(problem) Authorization: Bearer <\(role.option)>",
                headers: [.wwwAuthenticate: "Bearer realm=\"faafo\""])
        }
    }

    /// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
    static func bearerToken(in header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Compares SHA-256 digests in constant time, so neither the length nor the first
    /// differing byte of the expected token shows in how long a refusal takes.
    static func sameToken(_ presented: String?, _ expected: String) -> Bool {
        let a = SHA256.hash(data: Data((presented ?? "").utf8))
        let b = SHA256.hash(data: Data(expected.utf8))
        var difference: UInt8 = presented == nil ? 1 : 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
