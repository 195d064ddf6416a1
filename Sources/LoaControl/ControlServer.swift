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
/// nothing or trickles a byte at a time (closed when no whole request came
/// within `idleTimeout`), nor one that sends too much (an error, then
/// closed), nor hundreds at once: past `maximumClients`, a newcomer takes
/// the slot of the client that has waited longest without sending a whole
/// request, so that an operator's `loa status` or `loa stop`, which sends
/// its request as soon as it connects, always gets in. Only when every
/// slot holds a request with the loop is a newcomer told the daemon is
/// busy.
///
/// Why not slots kept by credentials (`SO_PEERCRED`): the socket is mode
/// 0660, so every client is the daemon's user or in its group already,
/// the misbehaving one as much as the operator; credentials cannot tell
/// them apart, but promptness can.
public final class ControlServer: @unchecked Sendable {
  // @unchecked: `listener` and `wake` are set in `init`; `ready` and
  // `stopped` are behind their mutexes; `clients` belongs to the thread.
  public struct Limits: Sendable {
    public var maximumClients = 256
    /// How long a client has for each whole request: from connecting, and
    /// from each answer. Bytes that do not complete a line do not count.
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
    /// When its next whole request is due (see `Limits.idleTimeout`).
    var deadline: ContinuousClock.Instant
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
      throw ControlError(.alreadyListening, "another loa daemon is already listening on \(path)")
    }
    unlink(path)
    listener = try UnixSocket.listen(on: path, mode: 0o660)
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else {
      close(listener)
      throw ControlError(.system, "pipe: \(String(cString: strerror(errno)))")
    }
    wake = (ends[0], ends[1])
    for fd in ends { UnixSocket.makeNonBlocking(fd) }
  }

  /// Where the daemon listens: systemd's runtime directory when it gives
  /// one (/run/loa), else the state folder.
  public static func defaultPath(stateDirectory: String) -> String {
    let runtime = ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"]
      .flatMap { $0.split(separator: ":").first.map(String.init) }
    return (runtime ?? stateDirectory) + "/" + ControlProtocol.socketName
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
      timeout = min(timeout, client.deadline - now)
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
      if clients.count >= limits.maximumClients, !makeRoom() {
        refuse(
          fd, ControlAnswer.failure(.busy, "the daemon is busy: too many connections; try again"))
        continue
      }
      clients[nextClient] = Client(fd: fd, deadline: .now + limits.idleTimeout)
      nextClient += 1
    }
  }

  /// Closes the client that has waited longest without sending a whole
  /// request; false when every client has one with the loop.
  private func makeRoom() -> Bool {
    let slowest = clients.filter { !$0.value.awaiting }.min {
      $0.value.deadline < $1.value.deadline
    }
    guard let (id, client) = slowest else { return false }
    clients[id] = nil
    refuse(
      client.fd,
      ControlAnswer.failure(
        .busy, "closed to make room for another client: send each request as one line, at once"))
    return true
  }

  /// Tells `fd` why, as far as its buffer takes it, and closes it.
  private func refuse(_ fd: Int32, _ answer: ControlAnswer) {
    let line = ControlProtocol.line(answer)
    _ = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    close(fd)
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
      if sent > 0 { client.output.removeFirst(sent) }
    }
    if revents & Int16(POLLIN) != 0 {
      var buffer = [UInt8](repeating: 0, count: 16 * 1024)
      let count = recv(client.fd, &buffer, buffer.count, 0)
      if count == 0 || (count < 0 && errno != EAGAIN) { return false }
      // Bytes alone do not defer the deadline: only a whole request does.
      if count > 0 { client.input.append(contentsOf: buffer[..<count]) }
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
                .requestTooLong, "the request is longer than \(limits.maximumLine) bytes")))
          client.closing = true
          client.input = Data()
        }
        return
      }
      let line = Data(client.input[client.input.startIndex..<newline])
      client.input = Data(client.input[(newline + 1)...])
      if !line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) {
        client.deadline = .now + limits.idleTimeout
      }
      if line.count > limits.maximumLine {
        client.output.append(
          ControlProtocol.line(
            ControlAnswer.failure(
              .requestTooLong, "the request is longer than \(limits.maximumLine) bytes")))
        client.closing = true
        return
      }
      guard !line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) else { continue }
      switch ControlProtocol.parse(line) {
      case .failure(let error):
        client.output.append(ControlProtocol.line(ControlAnswer.failure(error)))
      case .success(let request):
        client.awaiting = true
        post(request, ControlReply { [weak self] answer in self?.deliver(answer, to: id) })
      }
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
      client.deadline = .now + limits.idleTimeout
      // A request that came with the last may be waiting in the buffer.
      handleLines(&client, id)
      clients[id] = client
      service(id, revents: Int16(POLLOUT))
    }
  }

  private func closeIdle() {
    let now = ContinuousClock.now
    for (id, client) in clients where !client.awaiting && now >= client.deadline {
      drop(id)
    }
  }

  private func drop(_ id: Int) {
    if let client = clients.removeValue(forKey: id) { close(client.fd) }
  }
}
