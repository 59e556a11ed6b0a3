import { describe, expect, it } from "vitest";
import type { AnswerValue } from "./bindings/AnswerValue";
import type { CheckResult } from "./bindings/CheckResult";
import { CATALOGS, translate, type Locale, type Translate } from "./i18n";
import {
  answerInputValue,
  answerLabel,
  checkResultLabel,
  displayState,
  errorMessage,
  outcomeLabel,
  progressComplete,
  progressText,
  stateLabel,
  yesNoChoice,
} from "./labels";

const tr = (locale: Locale): Translate => (key, params) => translate(CATALOGS, locale, key, params);
const zh = tr("zh-CN");
const en = tr("en");

describe("status", () => {
  it("shows a finalized record that a correction points at as superseded", () => {
    expect(displayState({ status: "finalized", superseded_by: "0190-later" })).toBe("superseded");
    expect(displayState({ status: "finalized", superseded_by: null })).toBe("finalized");
    expect(displayState({ status: "draft", superseded_by: null })).toBe("draft");
  });

  it("labels each state in both languages", () => {
    expect(stateLabel("draft", zh)).toBe("草稿");
    expect(stateLabel("finalized", zh)).toBe("已定稿");
    expect(stateLabel("superseded", zh)).toBe("已更正");
    expect(stateLabel("superseded", en)).toBe("Superseded");
  });
});

describe("progress", () => {
  it("reads answered over required", () => {
    expect(progressText({ required: 8, required_answered: 3 })).toBe("3/8");
    expect(progressComplete({ required: 8, required_answered: 3 })).toBe(false);
    expect(progressComplete({ required: 8, required_answered: 8 })).toBe(true);
    expect(progressComplete({ required: 0, required_answered: 0 })).toBe(true);
  });
});

describe("answers", () => {
  const yes: AnswerValue = { kind: "yes" };
  const no: AnswerValue = { kind: "no" };
  const na: AnswerValue = { kind: "not_applicable" };
  const number: AnswerValue = { kind: "number", value: "42" };
  const text: AnswerValue = { kind: "text", value: "工资台账缺 3 月" };

  it("shows yes/no/not applicable as words and numbers and text as written", () => {
    expect([yes, no, na, number, text, undefined].map((v) => answerLabel(v, zh))).toEqual([
      "是",
      "否",
      "不适用",
      "42",
      "工资台账缺 3 月",
      "未作答",
    ]);
    expect(answerLabel(na, en)).toBe("N/A");
    expect(answerLabel(undefined, en)).toBe("Not answered");
  });

  it("maps answers back to the raw text answer_item takes", () => {
    expect([yes, no, na, number, undefined].map(yesNoChoice)).toEqual(["yes", "no", "na", null, null]);
    expect(answerInputValue(number)).toBe("42");
    expect(answerInputValue(yes)).toBe("");
  });
});

describe("outcome and checks", () => {
  it("names the outcome with its deadline", () => {
    expect(outcomeLabel(null, zh)).toBe("尚无结论");
    expect(outcomeLabel({ type: "rectification_order", deadline: "2025-07-01" }, zh)).toBe(
      "责令限期改正（期限：2025-07-01）",
    );
    expect(outcomeLabel({ type: "case_filed" }, en)).toBe("Case filed");
  });

  it("has a label for every certificate check result", () => {
    const results: CheckResult[] = [
      "valid",
      "expired",
      "not_yet_valid",
      "suspended",
      "revoked",
      "unknown",
      "wrong_area",
      "foreign_signature",
    ];
    for (const r of results) {
      expect(checkResultLabel(r, zh), r).not.toBe(`check.${r}`);
      expect(checkResultLabel(r, en), r).not.toBe(`check.${r}`);
    }
  });
});

describe("error banner text", () => {
  it("shows the command's message, written for officers", () => {
    expect(errorMessage({ code: "rule_violation", message: "two-officer rule" }, zh)).toBe("不符合执法规则：two-officer rule");
    expect(errorMessage({ code: "bad_request", message: "as the bureau said" }, zh)).toBe("as the bureau said");
  });

  it("replaces internal faults, IPC faults and empty messages with a plain sentence", () => {
    const generic = zh("error.unexpected");
    expect(errorMessage({ code: "ipc", message: "command answer_item not found" }, zh)).toBe(generic);
    expect(errorMessage({ code: "internal", message: "the device task stopped: panic" }, zh)).toBe(generic);
    expect(errorMessage({ code: "storage", message: "internal storage error: locked" }, zh)).toBe(generic);
    expect(errorMessage({ code: "invalid_input", message: " " }, zh)).toBe(generic);
  });
});
