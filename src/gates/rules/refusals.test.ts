import { describe } from "node:test";
import { type RuleCase, testRuleTable } from "../testing.ts";
import { noApplicationContent } from "./no-application-content.ts";
import { noSecrets } from "./no-secrets.ts";

const WP = "FROM wordpress:6.9.4-php8.3-fpm\n";
const CONTENT = (how: string) => `${how}, which is the operator's content`;

const contentCases: RuleCase[] = [
  {
    name: "admits a conf.d COPY",
    dockerfile: `${WP}COPY a.ini /usr/local/etc/php/conf.d/\n`,
    expect: [],
  },
  {
    name: "admits a RUN that only reads wp-content",
    dockerfile: `${WP}RUN ls /usr/src/wordpress/wp-content\n`,
    expect: [],
  },
  {
    name: "refuses COPY into wp-content/plugins",
    dockerfile: `${WP}COPY my-plugin /var/www/html/wp-content/plugins/my-plugin\n`,
    expect: [
      {
        rule: "R1.wp-content-copy",
        severity: "error",
        line: 2,
        message: CONTENT("COPY puts files into /var/www/html/wp-content/plugins/my-plugin"),
      },
    ],
  },
  {
    name: "refuses a relative COPY under a wp-content WORKDIR",
    dockerfile: `${WP}WORKDIR /usr/src/wordpress/wp-content\nADD themes.tar themes/\n`,
    expect: [
      {
        rule: "R1.wp-content-copy",
        severity: "error",
        line: 3,
        message: CONTENT("ADD puts files into /usr/src/wordpress/wp-content/themes/"),
      },
    ],
  },
  {
    name: "refuses a download into wp-content",
    dockerfile: `${WP}RUN curl -fsSL -o /usr/src/wordpress/wp-content/plugins/x.zip https://example.org/x.zip\n`,
    expect: [
      {
        rule: "R1.wp-content-write",
        severity: "error",
        line: 2,
        message: CONTENT(
          "RUN writes into wp-content (curl -fsSL -o /usr/src/wordpress/wp-content/plugins/x.zip…)",
        ),
      },
    ],
  },
  {
    name: "refuses wp plugin install",
    dockerfile: `${WP}RUN wp plugin install akismet --allow-root\n`,
    expect: [
      {
        rule: "R1.wp-content-write",
        severity: "error",
        line: 2,
        message: CONTENT("RUN writes into wp-content (wp plugin install akismet…)"),
      },
    ],
  },
];

const secretCases: RuleCase[] = [
  {
    name: "admits a *_FILE path and a variable reference",
    dockerfile:
      "FROM debian:12-slim\nENV DB_PASSWORD_FILE=/run/secrets/db API_TOKEN=$TOKEN\nRUN true\n",
    expect: [],
  },
  {
    name: "admits an ARG without a default",
    dockerfile: "FROM debian:12-slim\nARG NPM_TOKEN\nRUN true\n",
    expect: [],
  },
  {
    name: "refuses a literal password in ENV",
    dockerfile: "FROM debian:12-slim\nENV WORDPRESS_DB_PASSWORD=hunter2\nRUN true\n",
    expect: [
      {
        rule: "R2.secret-value",
        severity: "error",
        line: 2,
        message:
          "ENV WORDPRESS_DB_PASSWORD holds a literal value, which every layer and the image history keep",
      },
    ],
  },
  {
    name: "refuses a literal token as an ARG default",
    dockerfile: "FROM debian:12-slim\nARG GITHUB_TOKEN=ghp_abc\nRUN true\n",
    expect: [
      {
        rule: "R2.secret-value",
        severity: "error",
        line: 2,
        message:
          "ARG GITHUB_TOKEN holds a literal value, which every layer and the image history keep",
      },
    ],
  },
  {
    name: "refuses copying a key file",
    dockerfile: "FROM debian:12-slim\nCOPY server.key /etc/ssl/private/\n",
    files: { "server.key": "x" },
    expect: [
      {
        rule: "R2.secret-file",
        severity: "error",
        line: 2,
        message: "COPY copies server.key, a file that holds keys or credentials",
      },
    ],
  },
  {
    name: "refuses a .env file in the image folder",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    files: { ".env": "A=1" },
    expect: [
      {
        rule: "R2.secret-file",
        severity: "error",
        message:
          ".env looks like a key or credentials file and sits in the image folder, the build context",
      },
    ],
  },
  {
    name: "refuses a literal secret in deploy.env",
    dockerfile: "FROM debian:12-slim\nRUN true\n",
    spec: {
      deploy: {
        workload: "Deployment",
        env: [{ name: "DB_PASSWORD", value: "pw" }],
        ports: [],
        node: { hostNetwork: false, capabilities: [] },
      },
    },
    expect: [
      {
        rule: "R2.deploy-secret-literal",
        severity: "error",
        line: 19,
        message: "deploy.env DB_PASSWORD is given as a literal value instead of from a Secret",
      },
    ],
  },
];

describe("R1 plugins-themes-content", () => {
  testRuleTable(noApplicationContent, contentCases);
});

describe("R2 no-secrets", () => {
  testRuleTable(noSecrets, secretCases);
});
