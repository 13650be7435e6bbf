/** Where something stands in a source file; line and column are 1-based. */
export interface Position {
  line: number;
  column: number;
}

/** One Dockerfile instruction, with its keyword upper-cased and its flags split off. */
export interface Instruction {
  /** Upper-case keyword: `RUN`, `COPY`, `FROM`, ... */
  keyword: string;
  /** Flags such as `--from=build` or `--platform=$BUILDPLATFORM`, by name without dashes. */
  flags: Record<string, string>;
  /**
   * The arguments after the flags, as written (line continuations joined, comment lines inside
   * them dropped). For a heredoc the body is in `heredocs`, not here.
   */
  args: string;
  /** The arguments split the way Docker splits them: exec form (JSON array) or words. */
  argv: string[];
  /** True when the instruction uses exec form (`["a", "b"]`). */
  execForm: boolean;
  /** Heredoc bodies that belong to this instruction (`RUN <<EOF`, `COPY <<'EOF' /dest`). */
  heredocs: Heredoc[];
  /** Where the instruction starts (its keyword). */
  start: Position;
  /** The last line of the instruction, continuations and heredocs included. */
  endLine: number;
}

/** A heredoc attached to an instruction. */
export interface Heredoc {
  /** The delimiter word, without quotes. */
  name: string;
  /** The body between the opening line and the delimiter line. */
  body: string;
}

/** The FROM line of a stage after build arguments were substituted from their defaults. */
export interface BaseImage {
  /** The image as written (`wordpress:6.9.4-php8.3-fpm`, `${BASE}`). */
  raw: string;
  /**
   * The image after substituting ARG defaults; undefined when an ARG it uses has no default.
   * For `FROM <stage>` this is the stage name.
   */
  resolved?: string;
  /** The stage this FROM refers to, when it names an earlier stage instead of an image. */
  stage?: string;
  /** `--platform=` value, if any, as written. */
  platform?: string;
  /** The build arguments the FROM refers to that have no default (empty when it resolves). */
  unresolvedArgs: string[];
  /** Where the FROM instruction starts. */
  start: Position;
}

/** One build stage: a FROM line and the instructions under it. */
export interface Stage {
  /** 0-based position among the stages. */
  index: number;
  /** The `AS name`, lower-cased as Docker does, when present. */
  name?: string;
  from: BaseImage;
  /** Instructions after FROM, in order (the FROM itself is not among them). */
  instructions: Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** Path the text came from (for messages). */
  path: string;
  /** Escape character from the `# escape=` directive (`\` when absent). */
  escape: string;
  /** Build arguments declared before the first FROM, with their defaults when given. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}
