import Foundation

/// Buffered writing to standard output, so that printing a hundred thousand
/// calendar rows costs a few system calls rather than one each.
struct StandardOutput {
  private var buffer: [UInt8] = []

  init() { buffer.reserveCapacity(1 << 16) }

  mutating func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  mutating func write(bytes: some Collection<UInt8>) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { flush() }
  }

  /// A non-negative integer in decimal, zero-padded to `width` (at most 20).
  mutating func write(decimal value: Int, width: Int = 1) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var start = 20
      var rest = max(0, value)
      repeat {
        start -= 1
        digits[start] = UInt8(0x30 + rest % 10)
        rest /= 10
      } while rest > 0 && start > 0
      while 20 - start < min(width, 20) {
        start -= 1
        digits[start] = 0x30
      }
      buffer.append(contentsOf: digits[start...])
    }
    if buffer.count >= 1 << 16 { flush() }
  }

  mutating func line(_ text: String = "") {
    write(text)
    write("\n")
  }

  mutating func flush() {
    guard !buffer.isEmpty else { return }
    FileHandle.standardOutput.write(Data(buffer))
    buffer.removeAll(keepingCapacity: true)
  }
}

/// Writes a line to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Writes a line to standard output at once, for progress as it happens.
func printLine(_ text: String) {
  FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
