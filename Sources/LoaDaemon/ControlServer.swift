import Foundation
import Synchronization

/// Where the loop's answer to one control request goes.
public struct ControlReply: Sendable {
  private let deliver: @Sendable (ControlAnswer) -> Void

  public init(_ deliver: @escaping @Sendable (ControlAnswer) -> Void) {
    self.deliver = deliver
  }

  public func callAsFunction(_ answer: ControlAnswer) { deliver(answer) }
}

/// The daemon's end of the control socket (`ControlProtocol`).
///
/// A thread of its own accepts clients, reads their lines and writes the
/// answers, all non-blocking under one `poll`. The loop only ever receives
/// whole, parsed requests through the mailbox, and hands back answers
/// without touching a socket, so no client can stall it: not one that says
/// nothing (closed after `idleTimeout`), nor one that sends too much (an
/// error, then closed), nor a hundred at once (past `maximumClients`, each
/// is told so and closed).
public final class ControlServer: @unchecked Sendable {
  // @unchecked: `listener` and `wake` are set in `init`; `ready` and
  // `stopped` are behind their mutexes; `clients` belongs to the thread.
  public struct Limits: Sendable {
    public var maximumClients = 256
    public var idleTimeout: Duration = .seconds(10)
    public var maximumLine = ControlProtocol.maximumLine

    public init() {}
  }

  public let path: String
  private let limits: Limits
  private let listener: Int32
  /// A pipe that wakes the thread when answers are ready, or to stop.
  private let wake: (read: Int32, write: Int32)
  private let ready = Mutex<[(client: Int, line: Data)]>([])
  private let stopped = Mutex(false)
  private let post: @Sendable (ControlRequest, ControlReply) -> Void
  private var thread: Thread?

  private struct Client {
    let fd: Int32
    var input = Data()
    var output = Data()
    var lastActivity = ContinuousClock.now
    /// A request is with the loop; the next waits for its answer.
    var awaiting = false
    var closing = false
  }

  private var clients: [Int: Client] = [:]
  private var acceptPausedUntil: ContinuousClock.Instant?
  private var nextClient = 0

  /// Listens on `path` (mode 0660: the daemon's user and group only). A
  /// stale socket left by a dead daemon is replaced; a live one is an error.
  public init(
    path: String, limits: Limits = Limits(),
    post: @escaping @Sendable (ControlRequest, ControlReply) -> Void
  ) throws {
    self.path = path
    self.limits = limits
    self.post = post
    guard !Self.isListening(on: path) else {
      throw ControlError("another loa daemon is already listening on \(path)")
    }
    unlink(path)
    listener = try UnixSocket.listen(on: path, mode: 0o660)
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else {
      close(listener)
      throw ControlError("pipe: \(String(cString: strerror(errno)))")
    }
    wake = (ends[0], ends[1])
    for fd in ends { UnixSocket.makeNonBlocking(fd) }
  }

  /// True when a daemon answers on `path`.
  public static func isListening(on path: String) -> Bool {
    guard let probe = try? UnixSocket.connect(to: path) else { return false }
    close(probe)
    return true
  }

  deinit {
    close(listener)
    close(wake.read)
    close(wake.write)
  }

  public func start() {
    let thread = Thread { [self] in serve() }
    thread.name = "loa-control"
    thread.start()
    self.thread = thread
  }

  /// Stops serving and removes the socket.
  public func stop() {
    stopped.withLock { $0 = true }
    signalWake()
    unlink(path)
  }

  // MARK: The thread

  private func serve() {
    while !stopped.withLock({ $0 }) {
      let listening = acceptPausedUntil.map { ContinuousClock.now >= $0 } ?? true
      var fds = [pollfd(fd: listener, events: listening ? Int16(POLLIN) : 0, revents: 0)]
      fds.append(pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0))
      let ids = Array(clients.keys)
      for id in ids {
        let client = clients[id]!
        var events: Int32 = 0
        // One answer at a time: a client that does not read what it is
        // sent is not read from either, and is closed once idle.
        if !client.awaiting, !client.closing, client.output.isEmpty { events |= Int32(POLLIN) }
        if !client.output.isEmpty { events |= Int32(POLLOUT) }
        fds.append(pollfd(fd: client.fd, events: Int16(events), revents: 0))
      }
      _ = poll(&fds, nfds_t(fds.count), pollTimeout())
      if fds[1].revents != 0 { takeAnswers() }
      if fds[0].revents & Int16(POLLIN) != 0 { acceptAll() }
      for (index, id) in ids.enumerated() where fds[index + 2].revents != 0 {
        service(id, revents: fds[index + 2].revents)
      }
      closeIdle()
    }
    for client in clients.values { close(client.fd) }
    clients.removeAll()
  }

  /// Milliseconds until the first client would be idle too long.
  private func pollTimeout() -> Int32 {
    let now = ContinuousClock.now
    var timeout = limits.idleTimeout
    for client in clients.values where !client.awaiting {
      timeout = min(timeout, client.lastActivity + limits.idleTimeout - now)
    }
    if let paused = acceptPausedUntil { timeout = min(timeout, paused - now) }
    return Int32(max(0, timeout / .milliseconds(1)).rounded(.up))
  }

  private func acceptAll() {
    while true {
      let fd = accept(listener, nil, nil)
      guard fd >= 0 else {
        // Out of file descriptors: stop listening for a second rather than
        // spin on a listener that stays readable.
        if errno == EMFILE || errno == ENFILE { acceptPausedUntil = .now + .seconds(1) }
        return
      }
      UnixSocket.makeNonBlocking(fd)
      guard clients.count < limits.maximumClients else {
        let line = ControlProtocol.line(
          ControlAnswer.failure("the daemon is busy: too many connections; try again"))
        _ = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(fd)
        continue
      }
      clients[nextClient] = Client(fd: fd)
      nextClient += 1
    }
  }

  private func service(_ id: Int, revents: Int16) {
    guard var client = clients[id] else { return }
    guard exchange(&client, revents: revents) else { return drop(id) }
    handleLines(&client, id)
    guard !client.closing || !client.output.isEmpty else { return drop(id) }
    clients[id] = client
  }

  /// Sends what is pending and reads what came; false when the client is
  /// gone.
  private func exchange(_ client: inout Client, revents: Int16) -> Bool {
    if revents & Int16(POLLOUT) != 0, !client.output.isEmpty {
      let sent = client.output.withUnsafeBytes {
        send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if sent < 0, errno != EAGAIN { return false }
      if sent > 0 {
        client.output.removeFirst(sent)
        client.lastActivity = .now
      }
    }
    if revents & Int16(POLLIN) != 0 {
      var buffer = [UInt8](repeating: 0, count: 16 * 1024)
      let count = recv(client.fd, &buffer, buffer.count, 0)
      if count == 0 || (count < 0 && errno != EAGAIN) { return false }
      if count > 0 {
        client.input.append(contentsOf: buffer[..<count])
        client.lastActivity = .now
      }
    } else if revents & Int16(POLLHUP | POLLERR) != 0 {
      return false
    }
    return true
  }

  /// Handles the complete lines buffered, one request at a time.
  private func handleLines(_ client: inout Client, _ id: Int) {
    while !client.awaiting, !client.closing, client.output.isEmpty {
      guard let newline = client.input.firstIndex(of: UInt8(ascii: "\n")) else {
        if client.input.count > limits.maximumLine {
          client.output.append(
            ControlProtocol.line(
              ControlAnswer.failure(
                "the request is longer than \(limits.maximumLine) bytes")))
          client.closing = true
          client.input = Data()
        }
        return
      }
      let line = Data(client.input[client.input.startIndex..<newline])
      client.input = Data(client.input[(newline + 1)...])
      if line.count > limits.maximumLine {
        client.output.append(
          ControlProtocol.line(
            ControlAnswer.failure(
              "the request is longer than \(limits.maximumLine) bytes")))
        client.closing = true
        return
      }
      guard !line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) else { continue }
      switch Self.parse(line) {
      case .failure(let error):
        client.output.append(ControlProtocol.line(ControlAnswer.failure(error.message)))
      case .success(let request):
        client.awaiting = true
        post(request, ControlReply { [weak self] answer in self?.deliver(answer, to: id) })
      }
    }
  }

  static func parse(_ line: Data) -> Result<ControlRequest, ControlError> {
    guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
      return .failure(ControlError("malformed request: not a JSON object on one line"))
    }
    guard let version = object["v"] as? Int else {
      return .failure(ControlError("malformed request: no protocol version \"v\""))
    }
    guard version == ControlProtocol.version else {
      return .failure(
        ControlError(
          "protocol version \(version) is not spoken here; this daemon speaks version "
            + "\(ControlProtocol.version)"))
    }
    let command = object["command"] as? String ?? ""
    guard ControlRequest.Command(rawValue: command) != nil else {
      return .failure(
        ControlError(
          "unknown command '\(command)'; known: status, announce, stop, reload"))
    }
    do {
      return .success(try ControlProtocol.decode(ControlRequest.self, from: line))
    } catch {
      return .failure(ControlError("malformed \(command) request: \(error)"))
    }
  }

  private func deliver(_ answer: ControlAnswer, to client: Int) {
    let line = ControlProtocol.line(answer)
    ready.withLock { $0.append((client, line)) }
    signalWake()
  }

  private func signalWake() {
    var one: UInt8 = 1
    _ = write(wake.write, &one, 1)
  }

  private func takeAnswers() {
    var drained = [UInt8](repeating: 0, count: 256)
    while read(wake.read, &drained, drained.count) > 0 {}
    let answers = ready.withLock { ready in
      let taken = ready
      ready = []
      return taken
    }
    for (id, line) in answers {
      guard var client = clients[id] else { continue }
      client.awaiting = false
      client.output.append(line)
      client.lastActivity = ContinuousClock.now
      // A request that came with the last may be waiting in the buffer.
      handleLines(&client, id)
      clients[id] = client
      service(id, revents: Int16(POLLOUT))
    }
  }

  private func closeIdle() {
    let now = ContinuousClock.now
    for (id, client) in clients
    where !client.awaiting && now - client.lastActivity >= limits.idleTimeout {
      drop(id)
    }
  }

  private func drop(_ id: Int) {
    if let client = clients.removeValue(forKey: id) { close(client.fd) }
  }
}

public struct ControlError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The few socket calls both ends need.
enum UnixSocket {
  /// Calls `body` with `path` as a socket address: a file, or with a
  /// leading `@` a name in the abstract namespace (as systemd gives one).
  static func withAddress<T>(
    _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T
  ) throws -> T {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var bytes = Array(path.utf8)
    if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
      throw ControlError("the socket path is too long: \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
    }
  }

  /// A connected stream socket, whose sends and receives (and the connect
  /// itself, with a full backlog) give up after `timeout`; throws with
  /// `errno` set on failure.
  static func connect(to path: String, timeout: Duration = .seconds(5)) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw ControlError("socket: \(String(cString: strerror(errno)))") }
    var time = timeval(
      tv_sec: Int(timeout.components.seconds),
      tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
      setsockopt(fd, SOL_SOCKET, option, &time, socklen_t(MemoryLayout<timeval>.size))
    }
    let result = try withAddress(path) { Glibc.connect(fd, $0, $1) }
    guard result == 0 else {
      let saved = errno
      close(fd)
      errno = saved
      throw ControlError("\(path): \(String(cString: strerror(saved)))")
    }
    return fd
  }

  /// Non-blocking, and closed on exec (the amplifier's commands must not
  /// inherit it).
  static func makeNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
  }

  static func listen(on path: String, mode: mode_t) throws -> Int32 {
    let fd = socket(
      AF_UNIX,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else { throw ControlError("socket: \(String(cString: strerror(errno)))") }
    let bound = try withAddress(path) { bind(fd, $0, $1) }
    guard bound == 0, chmod(path, mode) == 0, Glibc.listen(fd, 64) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw ControlError("cannot listen on \(path): \(reason)")
    }
    return fd
  }
}
