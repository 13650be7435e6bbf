#!/usr/bin/env node
// Entry point for `npm exec solera` and global installs; the CLI itself is TypeScript run by
// Node's type stripping (Node 22.18 or later).
import "../src/cli/main.ts";
