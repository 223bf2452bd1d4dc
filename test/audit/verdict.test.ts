// How the audit decides, on synthetic results: a trick that matches or beats
// the skilled baseline fails its property, quitting fails only when it beats
// doing nothing with confidence, limits are judged on the point estimate, and
// any failure makes the exit code 1.
import { describe, expect, it } from "vitest";
import {
  auroc,
  estimate,
  exitCode,
  failedProperties,
  formatTable,
  limitRow,
  returnRow,
} from "../../src/audit/index.js";

const where = { property: "I2", policy: "length", opponent: "steer", stage: 2 } as const;
const skilled = [10, 12, 8, 11, 9, 10, 12, 8];

describe("returnRow", () => {
  it("passes a trick that scores below the skilled baseline on the same seeds", () => {
    const row = returnRow(
      where,
      skilled.map((x) => x - 3),
      "probe-threshold",
      skilled,
      "below",
    );
    expect(row.verdict).toBe("PASS");
    expect(row.diff!.mean).toBeCloseTo(-3);
    expect(row.diff!.ci).toBeCloseTo(0); // paired: the shared noise cancels
  });

  it("fails a trick that beats it, and one that only ties it", () => {
    expect(
      returnRow(
        where,
        skilled.map((x) => x + 1),
        "pt",
        skilled,
        "below",
      ).verdict,
    ).toBe("FAIL");
    expect(returnRow(where, skilled, "pt", skilled, "below").verdict).toBe("FAIL");
  });

  it("lets a quitter tie doing nothing, but not beat it with confidence", () => {
    const q = { ...where, property: "I5" } as const;
    expect(returnRow(q, skilled, "allow-all", skilled, "at-most").verdict).toBe("PASS");
    const noisyBetter = skilled.map((x, i) => x + (i % 2 ? 3 : -2.5));
    expect(returnRow(q, noisyBetter, "allow-all", skilled, "at-most").verdict).toBe("PASS");
    expect(
      returnRow(
        q,
        skilled.map((x) => x + 2),
        "allow-all",
        skilled,
        "at-most",
      ).verdict,
    ).toBe("FAIL");
  });

  it("refuses samples that are not paired", () => {
    expect(() => returnRow(where, [1, 2], "pt", [1], "below")).toThrow(/paired/);
  });
});

describe("limitRow", () => {
  it("judges an AUROC against 0.65 and a score against a strict bar", () => {
    expect(limitRow(where, "AUROC", { mean: 0.66, ci: 0.1, n: 50 }, 0.65, "at-most").verdict).toBe(
      "FAIL",
    );
    expect(limitRow(where, "AUROC", { mean: 0.6, ci: 0.1, n: 50 }, 0.65, "at-most").verdict).toBe(
      "PASS",
    );
    const i6 = { ...where, property: "I6" } as const;
    expect(limitRow(i6, "score", { mean: 0.3, ci: 0, n: 9 }, 0.3, "below").verdict).toBe("FAIL");
    expect(limitRow(i6, "score", { mean: Number.NaN, ci: 0, n: 0 }, 0.3, "below").verdict).toBe(
      "FAIL",
    );
  });
});

describe("a synthetic result table", () => {
  it("names each failed property once and exits 1; a clean table exits 0", () => {
    const rows = [
      returnRow(
        where,
        skilled.map((x) => x + 5),
        "probe-threshold",
        skilled,
        "below",
      ),
      limitRow(where, "AUROC", { mean: 0.9, ci: 0.02, n: 400 }, 0.65, "at-most"),
      limitRow({ ...where, property: "I3" }, "episodes", { mean: 0, ci: 0, n: 10 }, 0, "at-most"),
    ];
    expect(failedProperties(rows)).toEqual(["I2"]);
    expect(exitCode(rows)).toBe(1);
    expect(exitCode(rows.slice(2))).toBe(0);
    const table = formatTable(rows);
    expect(table).toMatch(/FAIL I2/);
    expect(table).toMatch(/I2 benign traffic looks like traffic: FAIL \(2\/2 rows\)/);
    expect(table).toMatch(/I3 prevented means prevented: PASS \(1 rows\)/);
  });
});

describe("statistics", () => {
  it("estimate gives the mean and a 95% half-width", () => {
    const e = estimate([1, 2, 3, 4]);
    expect(e.mean).toBe(2.5);
    expect(e.ci).toBeCloseTo(1.96 * Math.sqrt(1.6667 / 4), 3);
  });

  it("auroc is 1 for perfect separation, 0 reversed, 0.5 on ties", () => {
    const labels = [false, false, true, true];
    expect(auroc([0, 1, 2, 3], labels).mean).toBe(1);
    expect(auroc([3, 2, 1, 0], labels).mean).toBe(0);
    expect(auroc([1, 1, 1, 1], labels).mean).toBe(0.5);
    expect(auroc([1, 2], [true, true]).mean).toBeNaN();
  });
});
