// B2 "ours, check off": ours.js with the scheduling check turned off, to show what the
// check costs (it reads the cluster's nodes with @kubernetes/client-node and simulates
// every pod); the objects registered are the same.
"use strict";
const flyte = require(process.env.BENCH_SDK || "pulumi-flyte");
flyte.configureSchedulingCheck({ mode: "off" });
require("./ours");
