/// Hides passwords in URLs before they are printed or logged.
public enum Redaction {
    /// `amqp://guest:guest@host/` becomes `amqp://guest:***@host/`; other text is unchanged.
    /// Every broker of a transport URL naming several (`amqp://u:p@h1,u:p@h2/`,
    /// `amqp://u:p@h1/;amqp://u:p@h2/`) has its password hidden.
    public static func redactingPassword(_ url: String) -> String {
        guard url.contains("://") else { return url }
        return url.split(separator: ";", omittingEmptySubsequences: false).map { part in
            var prefix = ""
            var rest = part
            if let schemeEnd = part.range(of: "://") {
                prefix = String(part[..<schemeEnd.upperBound])
                rest = part[schemeEnd.upperBound...]
            }
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
            let hosts = rest[..<authorityEnd].split(separator: ",", omittingEmptySubsequences: false).map { host in
                guard let at = host.lastIndex(of: "@"), let colon = host[..<at].firstIndex(of: ":") else {
                    return String(host)
                }
                return String(host[...colon]) + "***" + String(host[at...])
            }
            return prefix + hosts.joined(separator: ",") + rest[authorityEnd...]
        }.joined(separator: ";")
    }
}
