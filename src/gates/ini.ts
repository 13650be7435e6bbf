// PHP ini files as PHP reads them, reduced to what the gates judge: `key = value` lines with
// their line numbers. `;` starts a comment, `[section]` lines are skipped, values may be quoted.

/** One setting of an ini file. */
export interface IniSetting {
  key: string;
  value: string;
  /** 1-based line in the file (or in the heredoc body). */
  line: number;
}

/** The settings of an ini text, in order; malformed lines are kept with an empty key. */
export function parseIni(text: string): IniSetting[] {
  const settings: IniSetting[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#") || line.startsWith("[")) return;
    const equals = line.indexOf("=");
    if (equals === -1) {
      settings.push({ key: "", value: line, line: index + 1 });
      return;
    }
    const key = line.slice(0, equals).trim();
    settings.push({ key, value: readValue(line.slice(equals + 1)), line: index + 1 });
  });
  return settings;
}

function readValue(text: string): string {
  const trimmed = text.trim();
  const quoted = /^"([^"]*)"|^'([^']*)'/.exec(trimmed);
  if (quoted) return quoted[1] ?? quoted[2] ?? "";
  const comment = trimmed.indexOf(";");
  return (comment === -1 ? trimmed : trimmed.slice(0, comment)).trim();
}

/**
 * Bytes of a PHP size (`64M`, `1G`, `512K`, `1048576`), as PHP's shorthand notation reads it:
 * K, M and G (either case) multiply by 1024 steps. Undefined when the text is not one.
 */
export function parseSize(text: string): number | undefined {
  const match = /^(-?\d+)\s*([KkMmGg])?$/.exec(text.trim());
  if (!match) return undefined;
  const units: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  const unit = match[2]?.toLowerCase();
  return Number(match[1]) * (unit === undefined ? 1 : (units[unit] ?? 1));
}

/**
 * Capability-bound settings: limits that size what the runtime can do (request bodies,
 * memory, time, input counts, caches) and extensions the delta loads. They depend on the
 * capability the image is built for, not on the application's logic, so an image may bake them.
 */
export const CAPABILITY_KEYS = new Set([
  "upload_max_filesize",
  "post_max_size",
  "memory_limit",
  "max_execution_time",
  "max_input_time",
  "max_input_vars",
  "max_input_nesting_level",
  "max_file_uploads",
  "default_socket_timeout",
  "realpath_cache_size",
  "realpath_cache_ttl",
  "opcache.memory_consumption",
  "opcache.interned_strings_buffer",
  "opcache.max_accelerated_files",
  "opcache.jit_buffer_size",
  "pcre.backtrack_limit",
  "pcre.recursion_limit",
  "extension",
  "zend_extension",
]);

/** Settings that are sizes, validated as PHP sizes. */
export const SIZE_KEYS = new Set([
  "upload_max_filesize",
  "post_max_size",
  "memory_limit",
  "realpath_cache_size",
  "opcache.jit_buffer_size",
]);

/** Application-logic settings and prefixes named explicitly, for a clearer message. */
const LOGIC_KEYS = new Set([
  "error_reporting",
  "display_errors",
  "display_startup_errors",
  "log_errors",
  "error_log",
  "html_errors",
  "date.timezone",
  "short_open_tag",
  "allow_url_fopen",
  "allow_url_include",
  "expose_php",
  "disable_functions",
  "disable_classes",
  "open_basedir",
  "auto_prepend_file",
  "auto_append_file",
  "default_charset",
  "output_buffering",
  "variables_order",
  "sendmail_path",
]);
const LOGIC_PREFIXES = ["session.", "mail.", "smtp", "assert.", "xdebug.", "zend.assertions"];

/** Whether a key is an application-logic setting that belongs to the operator. */
export function isLogicSetting(key: string): boolean {
  return LOGIC_KEYS.has(key) || LOGIC_PREFIXES.some((prefix) => key.startsWith(prefix));
}
