/// The files an `amqps://` connection uses, all PEM. Without a CA file the system's trusted
/// certificates (/etc/ssl/certs/ca-certificates.crt) verify the broker. The broker's
/// certificate and host name are always verified.
///
/// faafo.conf names them `amqp_ca_file`, `amqp_cert_file` and `amqp_key_file`; errors say so.
public struct TLSFiles: Sendable, Hashable {
    /// The certificate authorities that sign the broker's certificate.
    public var caFile: String?
    /// A client certificate, for a broker that asks for one; needs `keyFile`.
    public var certFile: String?
    /// The client certificate's private key (unencrypted).
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    /// The system's trusted certificates, used when no CA file is given.
    public static let systemCAFile = "/etc/ssl/certs/ca-certificates.crt"

    /// The CA file a connection loads.
    var effectiveCAFile: String { caFile ?? Self.systemCAFile }

    /// The CA file as messages name it: with its option, or as the system's.
    var caFileDescription: String {
        caFile.map { "the CA file '\($0)' (amqp_ca_file)" } ?? "the system's CA file \(Self.systemCAFile) (no amqp_ca_file given)"
    }
}
