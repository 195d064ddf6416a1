import CSndFile
import Foundation

/// A file read through a 64 KiB buffer, for libsndfile's virtual I/O.
///
/// libsndfile passes a decoder's reads straight to the kernel, and the MP3
/// decoder asks for a few hundred bytes at a time: an hour of MP3 is then
/// 300,000 `read` calls. Through this buffer it is 900.
///
/// Not shared between threads: owned by the one `SoundFile` that reads it.
final class BufferedInput {
  private let descriptor: Int32
  let length: Int64
  private static let capacity = 1 << 16
  private let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
  /// The file offset of the buffer's first byte, and how many bytes it holds.
  private var bufferStart: Int64 = 0
  private var buffered = 0
  /// Where the next read starts.
  private var position: Int64 = 0

  /// Opens `path` for reading; the error names the path and the reason.
  /// The reason the last read from the disk failed, if one did.
  private(set) var failure: String?

  init(path: String) throws(SoundFileError) {
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let reason = String(cString: strerror(errno))
      buffer.deallocate()
      throw SoundFileError(call: "open", path: path, reason: reason)
    }
    var info = stat()
    guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      close(descriptor)
      buffer.deallocate()
      throw SoundFileError(call: "open", path: path, reason: "not a regular file")
    }
    length = Int64(info.st_size)
  }

  deinit {
    close(descriptor)
    buffer.deallocate()
  }

  func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
    var copied = 0
    while copied < count {
      let offset = Int(position - bufferStart)
      if offset >= 0, offset < buffered {
        let piece = min(count - copied, buffered - offset)
        (destination + copied).copyMemory(from: buffer + offset, byteCount: piece)
        copied += piece
        position += Int64(piece)
        continue
      }
      // A read of a page or more goes straight to its destination, the
      // rest of it too (a WAV is read 16 KiB at a time, and a copy more
      // would cost as much as the read); a small one refills the buffer.
      if count >= 4096 {
        let got = pread(descriptor, destination + copied, count - copied, off_t(position))
        guard got > 0 else {
          if got < 0 { failure = String(cString: strerror(errno)) }
          break
        }
        copied += got
        position += Int64(got)
        continue
      }
      let got = pread(descriptor, buffer, Self.capacity, off_t(position))
      guard got > 0 else {
        if got < 0 { failure = String(cString: strerror(errno)) }
        break
      }
      bufferStart = position
      buffered = got
    }
    return copied
  }

  func seek(to offset: Int64, whence: Int32) -> Int64 {
    let target: Int64
    switch whence {
    case SEEK_SET: target = offset
    case SEEK_CUR: target = position + offset
    case SEEK_END: target = length + offset
    default: return -1
    }
    guard target >= 0 else { return -1 }
    position = target
    return position
  }

  var tell: Int64 { position }

  /// libsndfile's callbacks; `user_data` is an unretained `BufferedInput`.
  static let callbacks = SF_VIRTUAL_IO(
    get_filelen: { input in sf_count_t(BufferedInput.from(input).length) },
    seek: { offset, whence, input in
      sf_count_t(BufferedInput.from(input).seek(to: Int64(offset), whence: whence))
    },
    read: { destination, count, input in
      guard let destination else { return 0 }
      return sf_count_t(BufferedInput.from(input).read(into: destination, count: Int(count)))
    },
    write: { _, _, _ in 0 },
    tell: { input in sf_count_t(BufferedInput.from(input).tell) })

  /// libsndfile hands back the pointer `sf_open_virtual` was given, never nil.
  private static func from(_ pointer: UnsafeMutableRawPointer?) -> BufferedInput {
    Unmanaged<BufferedInput>.fromOpaque(UnsafeRawPointer(pointer.unsafelyUnwrapped))
      .takeUnretainedValue()
  }
}
