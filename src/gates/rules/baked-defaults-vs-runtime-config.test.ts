import { describe } from "node:test";
import { type RuleCase, testRuleTable } from "../testing.ts";
import { bakedDefaultsVsRuntimeConfig } from "./baked-defaults-vs-runtime-config.ts";

const COPY_INI =
  "FROM wordpress:6.9.4-php8.3-fpm\nCOPY media.ini /usr/local/etc/php/conf.d/zz-media.ini\n";
const MEDIA = `; media sites upload large files
upload_max_filesize = 64M
post_max_size = 72M   ; a little above the upload limit
memory_limit = 256M
max_execution_time = 120
max_input_time = 120
`;

const cases: RuleCase[] = [
  {
    name: "admits capability-bound limits",
    dockerfile: COPY_INI,
    files: { "media.ini": MEDIA },
    expect: [],
  },
  {
    name: "admits post_max_size = 0 (no limit)",
    dockerfile: COPY_INI,
    files: { "media.ini": "upload_max_filesize = 1G\npost_max_size = 0\n" },
    expect: [],
  },
  {
    name: "admits equal limits in any unit",
    dockerfile: COPY_INI,
    files: { "media.ini": "upload_max_filesize = 1g\npost_max_size = 1024M\n" },
    expect: [],
  },
  {
    name: "warns at the second line that sets a key again in one file",
    dockerfile: COPY_INI,
    files: { "media.ini": `${MEDIA}; raised later\nmemory_limit = 512M\n` },
    expect: [
      {
        rule: "T2.duplicate-key",
        severity: "warning",
        line: 8,
        message:
          "memory_limit is set again (first at line 4, to 256M); PHP keeps this later value, 512M",
      },
    ],
  },
  {
    name: "admits one extension line per extension",
    dockerfile: COPY_INI,
    files: { "media.ini": "extension = gmp\nextension = gd\n" },
    expect: [],
  },
  {
    name: "refuses session and error settings",
    dockerfile: COPY_INI,
    files: {
      "media.ini":
        "memory_limit = 256M\nsession.save_handler = redis\nerror_reporting = E_ALL\ndisplay_errors = Off\n",
    },
    expect: [
      {
        rule: "T2.logic-setting",
        severity: "error",
        line: 2,
        message: "session.save_handler is an application-logic setting; the image must not bake it",
      },
      {
        rule: "T2.logic-setting",
        severity: "error",
        line: 3,
        message: "error_reporting is an application-logic setting; the image must not bake it",
      },
      {
        rule: "T2.logic-setting",
        severity: "error",
        line: 4,
        message: "display_errors is an application-logic setting; the image must not bake it",
      },
    ],
  },
  {
    name: "refuses a key outside the allow-list",
    dockerfile: COPY_INI,
    files: { "media.ini": "[PHP]\nmysqli.default_host = db\n" },
    expect: [
      {
        rule: "T2.not-capability",
        severity: "error",
        line: 2,
        message:
          "mysqli.default_host is not a capability-bound limit, so it is not the image's to bake",
      },
    ],
  },
  {
    name: "refuses post_max_size below upload_max_filesize",
    dockerfile: COPY_INI,
    files: { "media.ini": "upload_max_filesize = 64M\npost_max_size = 8M\n" },
    expect: [
      {
        rule: "T2.post-below-upload",
        severity: "error",
        line: 2,
        message:
          "post_max_size = 8M is below upload_max_filesize = 64M, so uploads near the limit fail",
      },
    ],
  },
  {
    name: "refuses a size PHP cannot read",
    dockerfile: COPY_INI,
    files: { "media.ini": "upload_max_filesize = 64 MB\n" },
    expect: [
      {
        rule: "T2.invalid-size",
        severity: "error",
        line: 1,
        message:
          "upload_max_filesize = 64 MB is not a PHP size (a number with an optional K, M or G)",
      },
    ],
  },
  {
    name: "warns about memory_limit below post_max_size",
    dockerfile: COPY_INI,
    files: { "media.ini": "post_max_size = 512M\nmemory_limit = 128M\n" },
    expect: [
      {
        rule: "T2.memory-below-post",
        severity: "warning",
        line: 2,
        message: "memory_limit = 128M is below post_max_size = 512M",
      },
    ],
  },
  {
    name: "judges an ini heredoc at its Dockerfile line",
    dockerfile:
      "FROM php:8.3-fpm\nCOPY <<EOF /usr/local/etc/php/conf.d/zz.ini\nmemory_limit = 256M\ndate.timezone = UTC\nEOF\n",
    expect: [
      {
        rule: "T2.logic-setting",
        severity: "error",
        line: 4,
        message: "date.timezone is an application-logic setting; the image must not bake it",
      },
    ],
  },
  {
    name: "judges ini lines written by RUN echo",
    dockerfile:
      "FROM php:8.3-fpm\nRUN { echo 'memory_limit=256M'; echo 'log_errors=On'; } > /usr/local/etc/php/conf.d/x.ini\n",
    expect: [
      {
        rule: "T2.logic-setting",
        severity: "error",
        line: 2,
        message: "log_errors is an application-logic setting; the image must not bake it",
      },
    ],
  },
  {
    name: "ignores ini files the delta does not own",
    dockerfile: "FROM php:8.3-fpm\nRUN cp $PHP_INI_DIR/php.ini-production $PHP_INI_DIR/php.ini\n",
    expect: [],
  },
];

describe("T2 baked-defaults-vs-runtime-config", () => {
  testRuleTable(bakedDefaultsVsRuntimeConfig, cases);
});
