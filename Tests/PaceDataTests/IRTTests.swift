//===--- IRTTests.swift ---------------------------------------------------===//
// IRT: the 1PL fit recovers known difficulties and abilities from
// synthetic Rasch data; the ability estimate is the MAP of PUDF's objective.
//===----------------------------------------------------------------------===//
import Glibc
import Testing
@testable import PaceData
import PaceEngine

func correlation(_ a: [Double], _ b: [Double]) -> Double {
  let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
  var sab = 0.0, saa = 0.0, sbb = 0.0
  for i in a.indices { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb) }
  return sab / (saa * sbb).squareRoot()
}

func rmse(_ a: [Double], _ b: [Double]) -> Double {
  (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(a.count)).squareRoot()
}

/// Rasch responses for known abilities and difficulties.
func raschResponses(_ theta: [Double], _ b: [Double], seed: UInt64) -> [UInt8] {
  var r = TestRandom(state: seed)
  var y = [UInt8](repeating: 0, count: theta.count * b.count)
  for m in theta.indices {
    for i in b.indices { y[m * b.count + i] = r.next() < 1 / (1 + exp(b[i] - theta[m])) ? 1 : 0 }
  }
  return y
}

@Suite struct IRTTests {
  @Test func fitRecoversKnownDifficultiesAndAbilities() throws {
    var r = TestRandom(state: 99)
    let theta = (0..<200).map { _ in r.normal() }, b = (0..<400).map { _ in r.normal() }
    let y = raschResponses(theta, b, seed: 7)
    let fit = try IRT.fit(responses: y, models: 200, items: 400)
    #expect(correlation(fit.difficulties, b) > 0.95)
    #expect(correlation(fit.abilities, theta) > 0.95)
    #expect(rmse(fit.difficulties, b) < 0.3)
    #expect(rmse(fit.abilities, theta) < 0.3)
    // The transposed path (more models than items) gives the same fit.
    var flipped = [UInt8](repeating: 0, count: 400 * 200)  // items x models, 1 - y
    for m in 0..<200 { for i in 0..<400 { flipped[i * 200 + m] = 1 - y[m * 400 + i] } }
    let swapped = try IRT.fit(responses: flipped, models: 400, items: 200)
    // Items answered wrongly by models are models answering items: theta'
    // of the swapped problem is b, and b' is theta.
    #expect(zip(swapped.abilities, fit.difficulties).allSatisfy { abs($0 - $1) < 1e-8 })
    #expect(zip(swapped.difficulties, fit.abilities).allSatisfy { abs($0 - $1) < 1e-8 })
    // More models than items (the solve over the items): known values again.
    let wide = (0..<300).map { _ in r.normal() }, few = (0..<40).map { _ in r.normal() }
    let wideFit = try IRT.fit(responses: raschResponses(wide, few, seed: 8), models: 300, items: 40)
    #expect(correlation(wideFit.difficulties, few) > 0.95 && rmse(wideFit.difficulties, few) < 0.3)
    #expect(correlation(wideFit.abilities, wide) > 0.8)
  }

  @Test func fitIsTheStationaryPointOfThePosterior() throws {
    var r = TestRandom(state: 5)
    let theta = (0..<6).map { _ in r.normal() }, b = (0..<50).map { _ in r.normal() }
    let y = raschResponses(theta, b, seed: 11)
    let fit = try IRT.fit(responses: y, models: 6, items: 50)
    for i in 0..<50 {
      var g = -fit.difficulties[i]
      for m in 0..<6 { g += 1 / (1 + exp(fit.difficulties[i] - fit.abilities[m])) - Double(y[m * 50 + i]) }
      #expect(abs(g) < 1e-8)
    }
  }

  @Test func fitConvergesOnSeparableData() throws {
    // Every answer right, or an item nobody answers: the priors keep the
    // MAP finite, and Newton gets there.
    let allRight = try IRT.fit(responses: [UInt8](repeating: 1, count: 30 * 20), models: 30, items: 20)
    #expect(allRight.difficulties.allSatisfy { $0.isFinite && $0 < 0 })
    #expect(allRight.abilities.allSatisfy { $0.isFinite && $0 > 0 })
    var y = [UInt8](repeating: 1, count: 5 * 8)
    for m in 0..<5 { y[m * 8 + 3] = 0 }
    let hard = try IRT.fit(responses: y, models: 5, items: 8)
    #expect(hard.difficulties[3] > hard.difficulties[0] + 1)
    let theta = try IRT.ability(difficulties: [Double](repeating: 0, count: 50), responses: [Int8](repeating: 1, count: 50))
    #expect(theta.isFinite && theta > 1)
  }

  @Test func fitIsTheSameOnEveryThreadCount() throws {
    var r = TestRandom(state: 3)
    let theta = (0..<8).map { _ in r.normal() }, b = (0..<140_000).map { _ in r.normal() }
    let y = raschResponses(theta, b, seed: 2)
    var fits: [IRT.Fit] = []
    for threads in [1, 2, 3] {
      let engine = try BatchEngine(threads: threads)
      fits.append(try IRT.fit(responses: y, models: 8, items: 140_000, engine: engine))
    }
    #expect(fits.allSatisfy { $0.difficulties == fits[0].difficulties && $0.abilities == fits[0].abilities })
    #expect(correlation(fits[0].difficulties, b) > 0.6)  // 8 models per item: noisy, but there
  }

  @Test func abilityIsPUDFsMAPEstimate() throws {
    var r = TestRandom(state: 21)
    let b = (0..<300).map { _ in r.normal() }
    let responses: [Int8] = b.map { r.next() < 1 / (1 + exp($0 - 0.8)) ? 1 : -1 }
    let theta = try IRT.ability(difficulties: b, responses: responses)
    // PUDF's objective, maximised here by a fine grid and golden refinement.
    func objective(_ t: Double) -> Double {
      var f = -t * t / 2
      for i in b.indices { f += log(1 + (2 / (1 + exp(b[i] - t)) - 1) * Double(responses[i])) }
      return f
    }
    var lo = -6.0, hi = 6.0
    for _ in 0..<200 {
      let m1 = lo + (hi - lo) * 0.382, m2 = lo + (hi - lo) * 0.618
      if objective(m1) < objective(m2) { lo = m1 } else { hi = m2 }
    }
    #expect(abs(theta - (lo + hi) / 2) < 1e-6)
    #expect(abs(theta - 0.8) < 0.4)
    #expect(try IRT.ability(difficulties: [], responses: []) == 0)
    #expect(names(dataError { _ = try IRT.ability(difficulties: [0], responses: [0]) }, "responses_pm1[0] = 0"))
    #expect(names(dataError { _ = try IRT.fit(responses: [0, 2], models: 1, items: 2) }, "responses[0][1] = 2"))
    #expect(names(dataError { _ = try IRT.fit(responses: [0, 1], models: 1, items: 3) }, "models x items"))
  }
}
