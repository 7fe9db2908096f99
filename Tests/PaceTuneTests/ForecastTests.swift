//===--- ForecastTests.swift ----------------------------------------------===//
// The exponential forecast recovers a, b, c from noisy curves, with outliers.
//===----------------------------------------------------------------------===//
import Foundation
import Testing
@testable import PaceTune

@Suite struct ForecastTests {
  @Test(arguments: [(2.0, -0.03, 1.5), (0.8, -0.01, 2.2), (1.5, -0.08, 0.4), (-0.5, -0.02, 3.0)])
  func recoversParametersFromNoisyCurve(_ truth: (Double, Double, Double)) throws {
    var trainer = SyntheticTrainer()
    trainer.noiseState = UInt64(abs(truth.1 * 1e4))
    let (a, b, c) = truth
    var losses = (0..<200).map { x in a * exp(b * Double(x)) + c + 0.01 * trainer.gaussian() }
    losses[7] += 0.8  // outliers in the first half, as training spikes
    losses[30] += 0.5
    let fit = try #require(LossForecast.model(losses, .training))
    #expect(abs(fit.a - a) <= 0.1 * abs(a), "a \(fit.a) vs \(a)")
    #expect(abs(fit.b - b) <= 0.1 * abs(b), "b \(fit.b) vs \(b)")
    #expect(abs(fit.c - c) <= 0.05 * abs(a) + 0.02, "c \(fit.c) vs \(c)")
    let forecast = LossForecast.forecast(losses, at: 1000, .training)
    #expect(abs(forecast - (a * exp(b * 1000) + c)) <= 0.05 * abs(a) + 0.02)
  }

  @Test func exactCurveIsFittedToRoundingLevel() throws {
    let xs = (0..<100).map(Double.init)
    let ys = xs.map { 1.7 * exp(-0.045 * $0) + 0.9 }
    let fit = try #require(ExponentialFit.fit(xs, ys))
    #expect(abs(fit.b + 0.045) < 1e-6)
    #expect(abs(fit.a - 1.7) < 1e-5)
    #expect(abs(fit.c - 0.9) < 1e-5)
  }

  @Test func validationSeriesOfSixteenPoints() {
    var trainer = SyntheticTrainer()
    let losses = (0..<16).map { x in 1.2 * exp(-0.25 * Double(x)) + 0.7 + 0.002 * trainer.gaussian() }
    let forecast = LossForecast.forecast(losses, at: 160, .validation)
    #expect(abs(forecast - 0.7) < 0.03)
  }

  @Test func nonFiniteLossesForecastTheDivergedValue() {
    var losses = [Double](repeating: 1, count: 50)
    losses[40] = .nan
    #expect(LossForecast.forecast(losses, at: 1000, .training) == LossForecast.divergedLoss)
    losses[40] = .infinity
    #expect(LossForecast.forecast(losses, at: 1000, .training) == LossForecast.divergedLoss)
    #expect(LossForecast.forecast([2, 1.5], at: 100, .training) == 1.5)
  }
}
