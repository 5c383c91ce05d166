import { describe, expect, it } from "vitest";
import { columnName, escapeXml, sheetName } from "./xlsx";

describe("xlsx helpers", () => {
  it("names columns as spreadsheets do", () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual(["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
  });

  it("escapes markup, keeps carriage returns and drops what XML 1.0 cannot hold", () => {
    expect(escapeXml('<a href="x">&</a>')).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    expect(escapeXml("a\r\nb\tc")).toBe("a&#13;\nb\tc");
    expect(escapeXml("bell\u0007 nul\u0000 \uFFFE ok")).toBe("bell nul  ok");
    // A lone surrogate goes; a pair (an emoji) stays.
    expect(escapeXml("x\uD800y 🎉")).toBe("xy 🎉");
  });

  it("makes sheet names Excel accepts", () => {
    expect(sheetName("train")).toBe("train");
    expect(sheetName("a/b:c*d?[e]")).toBe("a b c d  e");
    expect(sheetName("x".repeat(40))).toHaveLength(31);
    expect(sheetName("///")).toBe("Sheet1");
  });
});
