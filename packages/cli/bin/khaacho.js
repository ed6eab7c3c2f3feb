#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through the root prepare script).
import { main } from "../dist/index.js";

process.exitCode = await main(process.argv);
