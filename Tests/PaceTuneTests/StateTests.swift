//===--- StateTests.swift -------------------------------------------------===//
// Save/load: exact continuation mid-stage, byte-identical re-save, damage.
//===----------------------------------------------------------------------===//
import Foundation
import Pace
import Testing
@testable import PaceTune

@Suite struct StateTests {
  /// Small stages: validation mode from the third stage, about 80 actions in all.
  static let config = #"{"min_lr": 1e-4, "max_lr": 1, "total_steps": 6000, "warmup_steps": 10, "warmup_lr": 0.01, "tau": 300, "tau_prime": 32, "candidates": 5, "tau_max": 600}"#

  @Test(arguments: [3, 14, 15, 16, 25, 40, 71])
  func saveMidStageContinuesIdentically(_ cut: Int) throws {
    let reference = try AutoLRS(configText: Self.config)
    var trainer = SyntheticTrainer()
    let expected = try drive(reference, &trainer)

    let first = try AutoLRS(configText: Self.config)
    var t2 = SyntheticTrainer()
    var actions = try drive(first, &t2, limit: cut)
    let bytes = first.save()
    let loaded = try AutoLRS.load(bytes)
    #expect(loaded.save() == bytes, "save -> load -> save is byte-identical")
    #expect(loaded.historyJSON == first.historyJSON)
    actions += try drive(loaded, &t2)
    #expect(actions == expected)
    #expect(loaded.history == reference.history)
  }

  /// A budget too small for trials gives a stage without any (37 saved
  /// bytes, the smallest record): its state loads (a fuzz finding).
  @Test(arguments: [1, 2, 15, 17, 100])
  func tinyBudgetStatesLoad(_ total: Int) throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-4, "max_lr": 0.1, "total_steps": \#(total)}"#)
    var trainer = SyntheticTrainer()
    for _ in 0..<8 {
      let bytes = tuner.save()
      #expect(try AutoLRS.load(bytes).save() == bytes)
      if try drive(tuner, &trainer, limit: 1) == [.done] { break }
    }
    let bytes = tuner.save()
    #expect(try AutoLRS.load(bytes).save() == bytes)
  }

  @Test func savedWithAReportPendingAcceptsTheReport() throws {
    let tuner = try AutoLRS(configText: #"{"min_lr": 1e-3, "max_lr": 0.1, "total_steps": 5000}"#)
    _ = try tuner.next()
    guard case .train(_, let steps, _, _) = try tuner.next() else { Issue.record("expected a trial"); return }
    let loaded = try AutoLRS.load(tuner.save())
    #expect(loaded.awaitsReport)
    let losses = (0..<Int(steps)).map { 2 * exp(-0.02 * Double($0)) + 1 }
    try tuner.report(losses)
    try loaded.report(losses)
    #expect(try tuner.next() == loaded.next())
    #expect(tuner.save() == loaded.save())
  }

  @Test func damageIsRejectedWhole() throws {
    let tuner = try AutoLRS(configText: Self.config)
    var trainer = SyntheticTrainer()
    try drive(tuner, &trainer, limit: 30)
    let bytes = tuner.save()
    for i in stride(from: 0, to: bytes.count, by: 7) {
      var damaged = bytes
      damaged[i] ^= 0x20
      #expect(throws: TuneError.self) { try AutoLRS.load(damaged) }
    }
    for n in [0, 10, 23, bytes.count - 1] {
      #expect(throws: TuneError.self) { try AutoLRS.load(Array(bytes.prefix(n))) }
    }
    #expect(throws: TuneError.self) { try AutoLRS.load(bytes + [0]) }
  }

  @Test func newerVersionIsAVersionError() throws {
    var bytes = try AutoLRS(configText: Self.config).save()
    bytes[8] = 2
    let crc = CRC32.checksum(bytes[0..<(bytes.count - 4)])
    for i in 0..<4 { bytes[bytes.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
    #expect(throws: TuneError.version("saved tuner has format version 2; this library reads version 1")) {
      try AutoLRS.load(bytes)
    }
  }

  @Test func inconsistentFieldsWithAValidChecksumAreRejected() throws {
    let tuner = try AutoLRS(configText: Self.config)
    var trainer = SyntheticTrainer()
    try drive(tuner, &trainer, limit: 15)
    tuner.stepsUsed = tuner.config.totalSteps + 1
    #expect(throws: TuneError.self) { try AutoLRS.load(tuner.save()) }
  }
}
