import { cpuVerdict, median, TARGETS } from '../../bench/http/report.js';

describe('bench:http CPU verdict', () => {
  const max = TARGETS.cpuRatioMax;

  it('passes only when the ratio of medians and the same rounds’ ratios both hold the target', () => {
    expect(cpuVerdict(1.1, median([1.05, 1.12, 1.14]))).toBe('PASS');
    expect(cpuVerdict(max, median([max, max, max]))).toBe('PASS');
  });

  it('leaves the question open when the two disagree, either way', () => {
    // Two slow rounds of the plain reference pulled the ratio of medians under the target.
    expect(cpuVerdict(0.98, median([1.17, 1.25, 1.4]))).toBe('UNSETTLED');
    // One fast round of it pushed the ratio of medians over.
    expect(cpuVerdict(1.2, median([1.1, 1.12, 1.3]))).toBe('UNSETTLED');
  });

  it('misses when both are over the target, and never passes without the same rounds’ ratios', () => {
    expect(cpuVerdict(1.39, median([1.21, 1.37, 1.43]))).toBe('MISS');
    expect(cpuVerdict(1.0, median([]))).toBe('UNSETTLED');
  });
});
