//===--- BlockFillTests.swift ---------------------------------------------===//
// Repeat blocks, tables and milestones are filled piece by piece on lanes,
// with value(at:)'s bits.
//===----------------------------------------------------------------------===//
import Testing
@testable import Pace

/// Repeat blocks of every kind: fractional lengths and offsets, growing
/// periods, both decay modes, per-step decay, finite and endless cycles,
/// tables and step milestones in the template, blocks between phases.
let repeatBlockExamples = [
  #"{"phases":[{"repeat":[{"shape":"linear","steps":7,"from":0.1,"to":1},{"shape":"cosine","steps":13.5,"to":0.1}],"cycles":null,"period_mult":1.5,"decay":0.7,"floor":0.1,"decay_per_step":0.9999}]}"#,
  #"{"preset":"cyclic","peak":0.1,"base_ratio":0.1,"step_size_up":37,"mode":"triangular2"}"#,
  #"{"preset":"timm_cosine","peak":0.1,"t_initial":300,"warmup_t":20,"cycle_limit":3,"cycle_mul":1.5,"cycle_decay":0.5,"lr_min_ratio":0.01}"#,
  #"{"phases":[{"shape":"linear","steps":50,"from":0,"to":1},{"repeat":[{"shape":"cosine","steps":100.25,"to":0.05,"offset":3.5},{"shape":"exponential","steps":40,"to":0.01}],"cycles":6,"period_mult":1.25,"decay":0.8,"decay_mode":"peak","floor":0.05},{"shape":"constant","steps":30,"from":0.02}]}"#,
  #"{"phases":[{"repeat":[{"shape":"table","points":[[0,1],[10.5,0.5],[30,0.1]],"steps":30},{"shape":"step","gamma":0.5,"milestones":[5,9],"steps":20},{"shape":"rex","steps":25,"to":0}],"cycles":40,"period_mult":1,"decay":0.9}]}"#,
  #"{"phases":[{"repeat":[{"shape":"uba","steps":61,"to":0,"phi":0.5},{"shape":"sqrt","steps":9,"from":0,"to":1}],"cycles":null,"period_mult":1.01,"decay":1,"decay_per_step":0.99995}]}"#,
  // Tables (points, both interpolations, offsets), per-step values and
  // milestones as plain phases.
  #"{"phases":[{"shape":"table","points":[[0,0],[10,1],[500.5,0.5],[2000,0.01]],"steps":2500},{"shape":"step","gamma":0.5,"milestones":[100,1000,1001,3000]}]}"#,
  #"{"phases":[{"shape":"table","points":[[3,1],[40.25,0.25],[41,0.2],[900,0.1]],"interpolation":"step","steps":950,"offset":20.5},{"shape":"table","values":[0.3,0.2,0.1,0.05]},{"shape":"step","gamma":0.9,"milestones":[7,8,9,10,500]}]}"#,
]

@Suite struct BlockFillTests {
  /// Long fills from many starts equal value(at:) at every step.
  @Test(arguments: repeatBlockExamples)
  func blockFillsMatchAt(spec: String) throws {
    let s = try Schedule.parse(spec)
    for start: Int64 in [0, 1, 7, 29, 333, 1_001, 4_321] {
      let values = s.values(from: start, count: 6_000)
      var first: Int64 = -1
      for (i, v) in values.enumerated() where v.bitPattern != s.value(at: start + Int64(i)).bitPattern {
        first = start + Int64(i)
        break
      }
      #expect(first == -1, "\(spec): fill differs from value(at:) at step \(first)")
    }
  }

  /// Chunked fills (odd chunk sizes, so pieces start anywhere in a vector)
  /// equal one fill.
  @Test(arguments: repeatBlockExamples)
  func chunkedBlockFillsMatchOneFill(spec: String) throws {
    let s = try Schedule.parse(spec)
    let whole = s.values(from: 0, count: 3_000)
    var chunked: [Double] = []
    var position: Int64 = 0
    var chunk = 5
    while chunked.count < whole.count {
      let n = Swift.min(chunk, whole.count - chunked.count)
      chunked += s.values(from: position, count: n)
      position += Int64(n)
      chunk = chunk * 7 % 97 + 1
    }
    #expect(zip(whole, chunked).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(spec)")
  }

  /// Buffers at every alignment (the fill peels single values up to an
  /// aligned vector store) get the same bits, float64 and float32.
  @Test func everyBufferAlignmentFillsTheSameBits() throws {
    let s = try Schedule.parse(#"{"preset":"cosine","peak":3e-4,"warmup_steps":100,"total_steps":2000}"#)
    let count = 1_000
    let reference = s.values(from: 3, count: count)
    let storage = UnsafeMutableRawPointer.allocate(byteCount: (count + 16) * 8, alignment: 64)
    defer { storage.deallocate() }
    for shift in 0..<16 {
      let doubles = (storage + shift * 8).bindMemory(to: Double.self, capacity: count)
      s.fill(from: 3, into: UnsafeMutableBufferPointer(start: doubles, count: count))
      #expect((0..<count).allSatisfy { doubles[$0].bitPattern == reference[$0].bitPattern }, "float64 at +\(shift * 8) bytes")
      let floats = (storage + shift * 4).bindMemory(to: Float.self, capacity: count)
      s.fill(from: 3, into: UnsafeMutableBufferPointer(start: floats, count: count))
      #expect((0..<count).allSatisfy { floats[$0].bitPattern == Float(reference[$0]).bitPattern }, "float32 at +\(shift * 4) bytes")
    }
  }
}
