import WorkQueue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pipe that wakes a connection thread out of poll(2) when callers queue work for it.
///
/// librabbitmq blocks on its socket; the thread polls the socket and this pipe together, so
/// a queued publish or acknowledgement is sent at once rather than after a timeout.
final class WakeSignal: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() throws(QueueError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw QueueError(.unavailable, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the thread if it is waiting, or makes its next wait return at once.
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)  // A full pipe already holds a wakeup.
    }

    /// Forgets the wakeups received so far.
    func drain() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
            while read(readEnd, buffer.baseAddress, buffer.count) > 0 {}
        }
    }

    struct Readiness {
        var socket = false
        var signalled = false
    }

    /// Waits until `socket` (if given) is readable, the signal fires, or `timeout` passes.
    func wait(socket: Int32?, timeout: Duration) -> Readiness {
        var descriptors = [pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)]
        if let socket {
            descriptors.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0))
        }
        let milliseconds = Int32(clamping: max(timeout, .zero).millisecondsRoundedUp)
        var readiness = Readiness()
        if poll(&descriptors, nfds_t(descriptors.count), milliseconds) > 0 {
            readiness.signalled = descriptors[0].revents != 0
            readiness.socket = descriptors.count > 1 && descriptors[1].revents != 0
        }
        return readiness
    }
}
