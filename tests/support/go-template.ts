// A Modelfile read as Ollama reads it, and its TEMPLATE rendered as Ollama renders it.
//
// Enough of Go's text/template to render the TEMPLATE of our Modelfiles the way Ollama does:
// text and {{ actions }} with {{- / -}} trimming; if / else if / else / end; range over a list
// (with `$i, $_ :=`); fields of the dot (.System, .Role) and of the root ($.Messages); variables;
// string and number literals; parentheses; and the builtins eq, ne, not, and, or, len, slice.
// Anything else throws, so a template using more than this fails the test instead of rendering wrong.

type Value = unknown;
type Scope = { dot: Value; root: Value; vars: Map<string, Value> };
type Node =
  | { kind: "text"; text: string }
  | { kind: "output"; expr: string }
  | { kind: "if"; branches: Array<{ cond: string | null; body: Node[] }> }
  | { kind: "range"; expr: string; index?: string; item?: string; body: Node[] };

function lex(template: string): Array<{ text: string } | { action: string }> {
  const parts: Array<{ text: string } | { action: string }> = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf("{{", at);
    if (open < 0) {
      parts.push({ text: template.slice(at) });
      break;
    }
    let text = template.slice(at, open);
    const close = template.indexOf("}}", open);
    if (close < 0) throw new Error("unclosed action");
    let action = template.slice(open + 2, close);
    if (action.startsWith("- ")) {
      text = text.replace(/\s+$/, "");
      action = action.slice(2);
    }
    let next = close + 2;
    if (action.endsWith(" -")) {
      action = action.slice(0, -2);
      const rest = template.slice(next);
      next += rest.length - rest.replace(/^\s+/, "").length;
    }
    if (text) parts.push({ text });
    parts.push({ action: action.trim() });
    at = next;
  }
  return parts;
}

function parse(template: string): Node[] {
  const parts = lex(template);
  let i = 0;
  const block = (stops: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (i < parts.length) {
      const part = parts[i++];
      if ("text" in part) {
        nodes.push({ kind: "text", text: part.text });
        continue;
      }
      const a = part.action;
      const word = a.split(/\s+/)[0];
      if (stops.includes(word)) return { nodes, stop: a };
      if (word === "if") {
        const branches: Array<{ cond: string | null; body: Node[] }> = [];
        let cond: string | null = a.slice(3).trim();
        for (;;) {
          const { nodes: body, stop } = block(["else", "end"]);
          branches.push({ cond, body });
          if (stop === "end") break;
          cond = stop.startsWith("else if ") ? stop.slice(8).trim() : null;
        }
        nodes.push({ kind: "if", branches });
      } else if (word === "range") {
        const m = /^range\s+(?:(\$\w*)\s*,\s*(\$\w*)\s*:=\s*)?(.+)$/.exec(a);
        if (!m) throw new Error(`unsupported range: ${a}`);
        const { nodes: body, stop } = block(["end", "else"]);
        if (stop !== "end") throw new Error("range else is not supported");
        nodes.push({ kind: "range", index: m[1], item: m[2], expr: m[3], body });
      } else if (word === "end" || word === "else") {
        throw new Error(`unexpected ${word}`);
      } else {
        nodes.push({ kind: "output", expr: a });
      }
    }
    if (stops.length) throw new Error(`missing ${stops.join("/")}`);
    return { nodes, stop: "" };
  };
  return block([]).nodes;
}

function tokens(expr: string): string[] {
  const found = expr.match(/"(?:[^"\\]|\\.)*"|\(|\)|[^\s()]+/g);
  if (!found) throw new Error(`empty expression: ${expr}`);
  return found;
}

const truthy = (v: Value) => !(v === undefined || v === null || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0));

const BUILTINS: Record<string, (...args: Value[]) => Value> = {
  eq: (a, ...rest) => rest.some((b) => a === b),
  ne: (a, b) => a !== b,
  not: (a) => !truthy(a),
  and: (...args) => args.find((a) => !truthy(a)) ?? args.at(-1),
  or: (...args) => args.find((a) => truthy(a)) ?? args.at(-1),
  len: (a) => (a as { length: number }).length,
  slice: (a, from, to) => (a as unknown[]).slice(from as number, to as number | undefined),
};

function field(value: Value, path: string[]): Value {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== "object") throw new Error(`no field ${key}`);
    v = (v as Record<string, Value>)[key];
  }
  return v;
}

function evaluate(expr: string, scope: Scope): Value {
  const list = tokens(expr);
  let i = 0;
  const operand = (): Value => {
    const t = list[i++];
    if (t === "(") {
      const value = command(")");
      i++;
      return value;
    }
    if (t.startsWith('"')) return JSON.parse(t);
    if (/^-?\d+$/.test(t)) return Number(t);
    if (t === ".") return scope.dot;
    if (t.startsWith("$.")) return field(scope.root, t.slice(2).split("."));
    if (t === "$") return scope.root;
    if (t.startsWith("$")) {
      if (!scope.vars.has(t)) throw new Error(`undefined variable ${t}`);
      return scope.vars.get(t);
    }
    if (t.startsWith(".")) return field(scope.dot, t.slice(1).split("."));
    throw new Error(`unsupported token ${t}`);
  };
  const command = (end?: string): Value => {
    const head = list[i];
    if (head in BUILTINS) {
      i++;
      const args: Value[] = [];
      while (i < list.length && list[i] !== end) args.push(operand());
      return BUILTINS[head](...args);
    }
    return operand();
  };
  const value = command();
  if (i !== list.length) throw new Error(`unsupported expression: ${expr}`);
  return value;
}

function render(nodes: Node[], scope: Scope): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "output") out += String(evaluate(node.expr, scope) ?? "");
    else if (node.kind === "if") {
      const branch = node.branches.find((b) => b.cond === null || truthy(evaluate(b.cond, scope)));
      if (branch) out += render(branch.body, scope);
    } else {
      const items = evaluate(node.expr, scope) as Value[];
      items.forEach((item, index) => {
        const vars = new Map(scope.vars);
        if (node.index) vars.set(node.index, index);
        if (node.item) vars.set(node.item, item);
        out += render(node.body, { dot: item, root: scope.root, vars });
      });
    }
  }
  return out;
}

/** Renders a Go text/template (the subset above) with `data` as both the dot and $. */
export function renderGoTemplate(template: string, data: Record<string, Value>): string {
  return render(parse(template), { dot: data, root: data, vars: new Map() });
}

/**
 * Reads a Modelfile the way Ollama's parser (parser/parser.go) does: a value runs to the first
 * line end where it is unquoted or its quotes ("…" or """…""") have closed; no escapes.
 */
export function parseModelfile(text: string): Array<{ name: string; args: string }> {
  const unquote = (s: string): string | undefined => {
    if (s.startsWith('"""')) return s.length >= 6 && s.endsWith('"""') ? s.slice(3, -3) : undefined;
    if (s.startsWith('"')) return s.length >= 2 && s.endsWith('"') ? s.slice(1, -1) : undefined;
    return s;
  };
  const commands: Array<{ name: string; args: string }> = [];
  let rest = text;
  const word = () => {
    const match = /^(\w+)[ \t]+/.exec(rest);
    if (!match) throw new Error(`Bad command at ${JSON.stringify(rest.slice(0, 30))}`);
    rest = rest.slice(match[0].length);
    return match[1];
  };
  while ((rest = rest.replace(/^\s+/, ""))) {
    if (rest.startsWith("#")) {
      rest = rest.includes("\n") ? rest.slice(rest.indexOf("\n")) : "";
      continue;
    }
    const command = word().toUpperCase();
    const name = command === "PARAMETER" ? word() : command;
    let end = 0;
    let value: string | undefined;
    while (value === undefined) {
      const lineEnd = rest.slice(end).search(/[\r\n]/);
      end = lineEnd === -1 ? rest.length : end + lineEnd;
      value = unquote(rest.slice(0, end).trim());
      if (value === undefined && lineEnd === -1) throw new Error("Unexpected end of file inside a quoted value");
      if (value === undefined) end += 1;
    }
    commands.push({ name, args: value });
    rest = rest.slice(end);
  }
  return commands;
}
