/// `POST /v1/fractal`: what a client asks for. `uuid`, `seed`, `cx` and `cy` are optional.
public struct CreateFractal: Codable, Hashable, Sendable {
    public var uuid: String?
    public var width: Int
    public var height: Int
    public var iterations: Int
    public var xa: Double
    public var xb: Double
    public var ya: Double
    public var yb: Double
    public var seed: UInt64?
    public var cx: Double?
    public var cy: Double?

    public init(
        uuid: String? = nil, width: Int, height: Int, iterations: Int,
        xa: Double, xb: Double, ya: Double, yb: Double,
        seed: UInt64? = nil, cx: Double? = nil, cy: Double? = nil
    ) {
        self.uuid = uuid
        self.width = width
        self.height = height
        self.iterations = iterations
        self.xa = xa
        self.xb = xb
        self.ya = ya
        self.yb = yb
        self.seed = seed
        self.cx = cx
        self.cy = cy
    }

    enum CodingKeys: String, CodingKey {
        case uuid, width, height, iterations, xa, xb, ya, yb, seed, cx, cy
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uuid = try c.decodeIfPresent(String.self, forKey: .uuid)
        width = try c.decodeInteger(Int.self, forKey: .width)
        height = try c.decodeInteger(Int.self, forKey: .height)
        iterations = try c.decodeInteger(Int.self, forKey: .iterations)
        xa = try c.decode(Double.self, forKey: .xa)
        xb = try c.decode(Double.self, forKey: .xb)
        ya = try c.decode(Double.self, forKey: .ya)
        yb = try c.decode(Double.self, forKey: .yb)
        seed = try c.decodeIntegerIfPresent(UInt64.self, forKey: .seed)
        cx = try c.decodeIfPresent(Double.self, forKey: .cx)
        cy = try c.decodeIfPresent(Double.self, forKey: .cy)
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
