import FractalCore

/// `POST /v1/fractal`: what a client asks for. `uuid`, `seed`, `cx` and `cy` are optional;
/// the fractal's fields stand beside `uuid`, its integers read strictly.
public struct CreateFractal: Codable, Hashable, Sendable {
    public var uuid: String?
    public var fractal: FractalRequest

    public init(uuid: String? = nil, fractal: FractalRequest) {
        self.uuid = uuid
        self.fractal = fractal
    }

    enum CodingKeys: String, CodingKey {
        case uuid
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uuid = try c.decodeIfPresent(String.self, forKey: .uuid)
        fractal = try FractalRequest(from: decoder, integers: .strict)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(uuid, forKey: .uuid)
        try fractal.encode(to: encoder)
    }
}

/// `PUT /v1/fractal/<uuid>`: a worker's result. `image` is the PNG file in base64.
public struct ResultUpload: Codable, Hashable, Sendable {
    public var duration: Double
    public var checksum: String
    public var size: Int
    public var image: String
    public var generatedBy: String
    public var pixelChecksum: String?

    enum CodingKeys: String, CodingKey {
        case duration, checksum, size, image
        case generatedBy = "generated_by"
        case pixelChecksum = "pixel_checksum"
    }

    public init(
        duration: Double, checksum: String, size: Int, image: String, generatedBy: String, pixelChecksum: String?
    ) {
        self.duration = duration
        self.checksum = checksum
        self.size = size
        self.image = image
        self.generatedBy = generatedBy
        self.pixelChecksum = pixelChecksum
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        duration = try c.decode(Double.self, forKey: .duration)
        checksum = try c.decode(String.self, forKey: .checksum)
        size = try c.decodeInteger(Int.self, forKey: .size)
        image = try c.decode(String.self, forKey: .image)
        generatedBy = try c.decode(String.self, forKey: .generatedBy)
        pixelChecksum = try c.decodeIfPresent(String.self, forKey: .pixelChecksum)
    }
}

/// `PUT /v1/fractal/<uuid>/failure`: a worker gave the task up for good (it cannot be
/// rendered, or the API refused its result), and says why.
public struct TaskFailure: Codable, Hashable, Sendable {
    public var reason: String
    public var generatedBy: String

    enum CodingKeys: String, CodingKey {
        case reason
        case generatedBy = "generated_by"
    }

    public init(reason: String, generatedBy: String) {
        self.reason = reason
        self.generatedBy = generatedBy
    }
}

/// `GET /v1/fractal?page=N`: one page in Flask-Restless's shape.
public struct FractalPage: Codable, Hashable, Sendable {
    public var numResults: Int
    public var objects: [FractalObject]
    public var page: Int
    public var totalPages: Int

    enum CodingKeys: String, CodingKey {
        case numResults = "num_results"
        case objects, page
        case totalPages = "total_pages"
    }

    public init(numResults: Int, objects: [FractalObject], page: Int, totalPages: Int) {
        self.numResults = numResults
        self.objects = objects
        self.page = page
        self.totalPages = totalPages
    }
}

/// Every 4xx and 5xx answer: `{"message": "..."}`.
public struct ErrorMessage: Codable, Hashable, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
}
