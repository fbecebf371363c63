/** What labels mean per row: anomalies by source precedence, operational states, remaining useful life. */
import { describe, expect, it } from "vitest";
import { LabelIndex } from "../../../src/actors/trainer/index.js";
import type { LabelRow } from "../../../src/store/index.js";

const HOUR = 3_600_000;
const label = (l: Partial<LabelRow> & Pick<LabelRow, "from" | "to" | "label">): LabelRow => ({ unit: "U1", sensor: null, source: "simulator", ...l });

describe("labels per row", () => {
  it("marks a reading abnormal inside an anomaly label on its sensor or its whole unit, normal elsewhere", () => {
    const index = new LabelIndex([label({ sensor: "temperature", from: 100, to: 200, label: "high_temperature" }), label({ from: 500, to: 600, label: "fault" })]);
    expect([index.anomalous("U1", "temperature", 150), index.anomalous("U1", "pressure", 150), index.anomalous("U1", "pressure", 550), index.anomalous("U1", "temperature", 200)]).toEqual([1, 0, 1, 0]);
  });

  it("lets an operator's false_alarm overrule the simulator, and an operator's fault overrule an import's normal", () => {
    const index = new LabelIndex([
      label({ from: 0, to: 1000, label: "degradation" }),
      label({ from: 100, to: 200, label: "false_alarm", source: "operator:ann" }),
      label({ from: 2000, to: 3000, label: "normal", source: "import" }),
      label({ from: 2500, to: 2600, label: "fault", source: "operator:bob" }),
    ]);
    expect([index.anomalous("U1", "x", 50), index.anomalous("U1", "x", 150), index.anomalous("U1", "x", 2100), index.anomalous("U1", "x", 2550)]).toEqual([1, 0, 0, 1]);
  });

  it("reads the operational state from state:<STATE> labels, -1 where none says", () => {
    const index = new LabelIndex([label({ from: 0, to: 100, label: "state:STARTUP" }), label({ from: 100, to: 300, label: "state:NORMAL" })]);
    expect([index.state("U1", 50), index.state("U1", 100), index.state("U1", 300), index.state("U2", 50)]).toEqual([0, 2, -1, -1]);
  });

  it("counts remaining useful life in operating hours to the next failure, at the life's operating rate", () => {
    const index = new LabelIndex([
      label({ from: 10 * HOUR, to: 10 * HOUR + 1, label: "failure" }),
      label({ from: 0, to: 10 * HOUR + 1, label: "operating_rate:2" }),
      label({ from: 20 * HOUR, to: 20 * HOUR + 1, label: "failure", source: "import" }),
    ]);
    expect(index.rulHours("U1", 4 * HOUR)).toBe(12);
    expect(index.rulHours("U1", 10 * HOUR)).toBe(0);
    expect(index.rulHours("U1", 15 * HOUR)).toBe(5);
    expect(index.rulHours("U1", 21 * HOUR)).toBeNaN();
  });
});
