import Foundation
import LoaControl
import Testing

/// The protocol's lines, without a socket.
@Suite("The control protocol")
struct ControlProtocolTests {
  func parse(_ text: String) -> Result<ControlRequest, ControlError> {
    ControlProtocol.parse(Data(text.utf8))
  }

  func code(_ text: String) -> ControlError.Code? {
    guard case .failure(let error) = parse(text) else { return nil }
    return error.code
  }

  @Test("bad lines are refused with a code for programs and a sentence for people")
  func refusals() {
    #expect(code("hello") == .malformedRequest)
    #expect(code(#"{"command":"status"}"#) == .malformedRequest)
    #expect(code(#"{"v":2,"command":"status"}"#) == .unsupportedVersion)
    #expect(code(#"{"v":1,"command":"dance"}"#) == .unknownCommand)
    #expect(code(#"{"v":1,"command":"announce","priority":"loud"}"#) == .invalidArgument)
    #expect(code(#"{"v":1,"command":"announce","times":"x"}"#) == .malformedRequest)
    guard case .failure(let error) = parse(#"{"v":1,"command":"dance"}"#) else {
      Issue.record("a request for an unknown command was accepted")
      return
    }
    #expect(error.message == "unknown command 'dance'; known: status, announce, stop, reload")
  }

  @Test("an announce request is typed, checked and defaulted")
  func announcement() throws {
    let request = try parse(
      #"{"v":1,"command":"announce","file":"/a/b.wav","priority":"emergency","gap_s":1.5}"#
    ).get()
    #expect(request.priority == .emergency)
    let checked = try request.announcement().get()
    #expect(
      checked
        == AnnouncementRequest(
          file: "/a/b.wav", title: "b.wav", priority: .emergency, times: 1,
          gap: .milliseconds(1500)))
    let none = ControlRequest(.announce, times: 3).announcement()
    #expect(throws: ControlError(.invalidArgument, "announce needs a file")) { try none.get() }
    let many = ControlRequest(.announce, file: "x.wav", times: 101).announcement()
    #expect(throws: ControlError.self) { try many.get() }
    let long = ControlRequest(.announce, file: "x.wav", gapS: 3601).announcement()
    #expect(throws: ControlError.self) { try long.get() }
  }

  @Test("version 1 on the wire: snake_case keys, enums as their words, the code beside the error")
  func wire() throws {
    let request = String(
      decoding: ControlProtocol.line(
        ControlRequest(.announce, file: "/x", priority: .normal, gapS: 2)), as: UTF8.self)
    #expect(
      request == #"{"command":"announce","file":"/x","gap_s":2,"priority":"normal","v":1}"# + "\n")
    let refusal = String(
      decoding: ControlProtocol.line(ControlAnswer.failure(.nothingOnAir, "nothing is on air")),
      as: UTF8.self)
    #expect(
      refusal == #"{"code":"nothing_on_air","error":"nothing is on air","ok":false,"v":1}"# + "\n")
    // An answer from a daemon of before codes still reads.
    let old = try ControlProtocol.decode(
      ControlAnswer.self, from: Data(#"{"v":1,"ok":false,"error":"nothing is on air"}"#.utf8))
    #expect(old.failure?.message == "nothing is on air")
    let summary = AiringSummary(
      kind: .announcement, program: "a", title: "A", priority: .emergency,
      start: "2030-01-01T09:00:00+07:00", durationS: 3)
    let line = String(decoding: ControlProtocol.line(summary), as: UTF8.self)
    #expect(line.contains(#""kind":"announcement""#))
    #expect(line.contains(#""priority":"emergency""#))
    #expect(line.contains(#""duration_s":3"#))
  }
}
