// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text uses ${VAR} on purpose.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DockerfileSyntaxError, parseDockerfile } from "./parse.ts";
import type { BaseImage, Instruction } from "./types.ts";

/** The parts of an instruction a row checks; positions are checked by their own rows. */
type Shape = Pick<Instruction, "keyword" | "flags" | "args" | "argv" | "execForm" | "heredocs">;

function shape(instruction: Instruction | undefined): Shape | undefined {
  if (instruction === undefined) return undefined;
  const { keyword, flags, args, argv, execForm, heredocs } = instruction;
  return { keyword, flags, args, argv, execForm, heredocs };
}

function run(text: string, argv: string[], extra: Partial<Shape> = {}): Shape {
  return { keyword: "RUN", flags: {}, args: text, argv, execForm: false, heredocs: [], ...extra };
}

const instructionRows: { name: string; text: string; want: Shape }[] = [
  {
    name: "upper-cases a lower-case instruction",
    text: "from debian:bookworm-slim\nrun apt-get update",
    want: run("apt-get update", ["apt-get", "update"]),
  },
  {
    name: "joins line continuations and drops comment lines inside them",
    text: "FROM debian\nRUN apt-get update \\\n# why the next line\n    && apt-get install -y x",
    want: run("apt-get update     && apt-get install -y x", [
      "apt-get",
      "update",
      "&&",
      "apt-get",
      "install",
      "-y",
      "x",
    ]),
  },
  {
    name: "drops indented comment lines and blank lines inside a continuation",
    text: "FROM debian\nRUN a \\\n\n    # note\n    b",
    want: run("a     b", ["a", "b"]),
  },
  {
    name: "reads exec form as a JSON array",
    text: 'FROM debian\nRUN ["sh", "-c", "echo a b"]',
    want: run('["sh", "-c", "echo a b"]', ["sh", "-c", "echo a b"], { execForm: true }),
  },
  {
    name: "falls back to shell form when the brackets are not JSON",
    text: "FROM debian\nRUN [ -f /x ] && echo yes",
    want: run("[ -f /x ] && echo yes", ["[", "-f", "/x", "]", "&&", "echo", "yes"]),
  },
  {
    name: "splits shell-form words at unquoted blanks and removes quotes",
    text: "FROM debian\nRUN echo \"a b\" 'c d' e\\ f",
    want: run("echo \"a b\" 'c d' e\\ f", ["echo", "a b", "c d", "e f"]),
  },
  {
    name: "takes flags off the arguments",
    text: "FROM debian\nCOPY --from=build --chmod=0755 --link /out/app /usr/local/bin/app",
    want: {
      keyword: "COPY",
      flags: { from: "build", chmod: "0755", link: "true" },
      args: "/out/app /usr/local/bin/app",
      argv: ["/out/app", "/usr/local/bin/app"],
      execForm: false,
      heredocs: [],
    },
  },
  {
    name: "reads a RUN heredoc as its body, not as arguments",
    text: "FROM debian\nRUN <<EOF\nset -e\nFROM is not an instruction here \\\nEOF\n",
    want: run("<<EOF", ["<<EOF"], {
      heredocs: [{ name: "EOF", body: "set -e\nFROM is not an instruction here \\\n" }],
    }),
  },
  {
    name: "reads a quoted COPY heredoc with its destination",
    text: "FROM debian\nCOPY <<'EOF' /etc/app.conf\n# kept: heredoc bodies have no comments\nkey=$value\nEOF",
    want: {
      keyword: "COPY",
      flags: {},
      args: "<<'EOF' /etc/app.conf",
      argv: ["<<EOF", "/etc/app.conf"],
      execForm: false,
      heredocs: [{ name: "EOF", body: "# kept: heredoc bodies have no comments\nkey=$value\n" }],
    },
  },
  {
    name: "strips leading tabs from a <<- heredoc and reads two heredocs in order",
    text: 'FROM debian\nRUN <<-"A" sh && <<B cat\n\techo a\n\tA\nb\nB',
    want: run('<<-"A" sh && <<B cat', ["<<-A", "sh", "&&", "<<B", "cat"], {
      heredocs: [
        { name: "A", body: "echo a\n" },
        { name: "B", body: "b\n" },
      ],
    }),
  },
  {
    name: "honours the escape directive",
    text: "# escape=`\nFROM debian\nRUN echo C:\\dir `\n    && echo done",
    want: run("echo C:\\dir     && echo done", ["echo", "C:\\dir", "&&", "echo", "done"]),
  },
];

describe("parseDockerfile instructions", () => {
  for (const row of instructionRows) {
    it(row.name, () => {
      const dockerfile = parseDockerfile(row.text, "Dockerfile");
      assert.deepEqual(shape(dockerfile.stages.at(-1)?.instructions.at(-1)), row.want);
    });
  }

  it("records where an instruction starts and its last line", () => {
    const text = 'FROM debian\n\n  RUN a \\\n    b\nCOPY <<EOF /x\n1\nEOF\nCMD ["a"]';
    const [runStep, copy, cmd] = parseDockerfile(text, "Dockerfile").stages[0]?.instructions ?? [];
    assert.deepEqual([runStep?.start, runStep?.endLine], [{ line: 3, column: 3 }, 4]);
    assert.deepEqual([copy?.start, copy?.endLine], [{ line: 5, column: 1 }, 7]);
    assert.deepEqual([cmd?.start, cmd?.endLine], [{ line: 8, column: 1 }, 8]);
  });

  it("reads the escape character into the Dockerfile", () => {
    assert.equal(parseDockerfile("# escape=`\nFROM debian", "D").escape, "`");
    assert.equal(parseDockerfile("FROM debian", "D").escape, "\\");
    assert.equal(parseDockerfile("FROM debian\n# escape=`", "D").escape, "\\");
    assert.equal(parseDockerfile("\n# escape=`\nFROM debian", "D").escape, "\\");
  });
});

const fromRows: {
  name: string;
  text: string;
  want: Omit<BaseImage, "start">[];
  names?: string[];
}[] = [
  {
    name: "reads --platform and AS name, lower-casing the stage name",
    text: "FROM --platform=$BUILDPLATFORM rust:1.88-slim-bookworm AS Build",
    want: [
      {
        raw: "rust:1.88-slim-bookworm",
        resolved: "rust:1.88-slim-bookworm",
        platform: "$BUILDPLATFORM",
        unresolvedArgs: [],
      },
    ],
    names: ["build"],
  },
  {
    name: "substitutes ARG defaults in ${VAR}, $VAR and ${VAR:-default}",
    text: "ARG NAME=debian\nARG TAG\nARG SUFFIX=slim\nFROM ${NAME}:${TAG:-bookworm}-$SUFFIX",
    want: [
      {
        raw: "${NAME}:${TAG:-bookworm}-$SUFFIX",
        resolved: "debian:bookworm-slim",
        unresolvedArgs: [],
      },
    ],
  },
  {
    name: "lets an ARG default use an earlier ARG",
    text: 'ARG VERSION=6.9.4\nARG TAG="${VERSION}-php8.3-fpm"\nFROM wordpress:$TAG',
    want: [{ raw: "wordpress:$TAG", resolved: "wordpress:6.9.4-php8.3-fpm", unresolvedArgs: [] }],
  },
  {
    name: "reports an ARG without default as unresolved",
    text: "ARG TAG\nFROM debian:${TAG}",
    want: [{ raw: "debian:${TAG}", unresolvedArgs: ["TAG"] }],
  },
  {
    name: "reports an undeclared variable as unresolved",
    text: "FROM debian:$MISSING",
    want: [{ raw: "debian:$MISSING", unresolvedArgs: ["MISSING"] }],
  },
  {
    name: "reads FROM <earlier stage> as a stage, case-insensitively",
    text: "FROM debian AS base\nFROM BASE AS final",
    want: [
      { raw: "debian", resolved: "debian", unresolvedArgs: [] },
      { raw: "BASE", resolved: "base", stage: "base", unresolvedArgs: [] },
    ],
    names: ["base", "final"],
  },
  {
    name: "does not take a later stage's name for an image",
    text: "FROM base\nFROM debian AS base",
    want: [
      { raw: "base", resolved: "base", unresolvedArgs: [] },
      { raw: "debian", resolved: "debian", unresolvedArgs: [] },
    ],
  },
];

describe("parseDockerfile FROM lines", () => {
  for (const row of fromRows) {
    it(row.name, () => {
      const dockerfile = parseDockerfile(row.text, "Dockerfile");
      const froms = dockerfile.stages.map(({ from }) => {
        const { start, ...rest } = from;
        void start;
        return rest;
      });
      assert.deepEqual(froms, row.want);
      if (row.names)
        assert.deepEqual(
          dockerfile.stages.map((stage) => stage.name),
          row.names,
        );
    });
  }

  it("keeps ARGs before FROM as global arguments and ARGs after it in the stage", () => {
    const dockerfile = parseDockerfile("ARG A=1 B\nFROM debian\nARG C=3", "Dockerfile");
    assert.deepEqual(dockerfile.globalArgs, { A: "1", B: undefined });
    assert.deepEqual(dockerfile.stages[0]?.instructions[0]?.argv, ["C=3"]);
  });
});

const errorRows: { name: string; text: string; message: string }[] = [
  {
    name: "refuses an unknown instruction",
    text: "FROM debian\nRUNN x",
    message: "Dockerfile:2: unknown instruction RUNN",
  },
  {
    name: "refuses an instruction other than ARG before the first FROM",
    text: "# comment\nRUN x\nFROM debian",
    message: "Dockerfile:2: RUN comes before the first FROM; only ARG may",
  },
  {
    name: "refuses a Dockerfile without FROM",
    text: "ARG A=1\n",
    message: "Dockerfile:1: no FROM instruction: a Dockerfile needs a stage",
  },
  {
    name: "refuses an unclosed heredoc",
    text: "FROM debian\nRUN <<EOF\necho\n  EOF",
    message: 'Dockerfile:2: heredoc <<EOF is not closed: no line reads exactly "EOF"',
  },
];

describe("parseDockerfile errors", () => {
  for (const row of errorRows) {
    it(row.name, () => {
      assert.throws(
        () => parseDockerfile(row.text, "Dockerfile"),
        (error: unknown) => error instanceof DockerfileSyntaxError && error.message === row.message,
      );
    });
  }
});
