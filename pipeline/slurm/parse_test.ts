/**
 * The parsers against output captured from SLURM 22.05 (Debian 12's slurm-client) on the one-node
 * cluster of tools/slurm.sh, and against the formats of SLURM's manual pages where the cluster
 * cannot produce them (sacct needs an accounting database).
 */
import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import {
  describeJobEnd,
  isFinal,
  parseJobcompLine,
  parseSacct,
  parseSbatch,
  parseSqueue,
} from "./parse.ts";

Deno.test("sbatch --parsable: the job id, with or without a cluster name", () => {
  assertEquals(parseSbatch("31\n"), "31");
  assertEquals(parseSbatch("4242;cluster-a\n"), "4242");
  assertThrows(
    () => parseSbatch("sbatch: error: Batch job submission failed"),
    Error,
    "sbatch printed no job id",
  );
});

Deno.test("squeue -o '%i|%T|%r|%N|%j': states, reasons, nodes and names with | and brackets", () => {
  // Captured: a pending job, one that ran and was cancelled while pending, one completed, one
  // failed and one timed out (squeue -t all shows ended jobs for MinJobAge seconds).
  const out = [
    "3|CANCELLED|Resources||canc",
    "4|PENDING|Priority||tlim",
    "1|COMPLETED|None|vm|train[config=fashion-mnist-cross-entropy,n=200,run=ee,seed=0]",
    "2|FAILED|NonZeroExitCode|vm|fail",
    "5|TIMEOUT|TimeLimit|vm|tlim",
    "6|RUNNING|None|node[01-02]|odd|name",
    "",
  ].join("\n");
  const jobs = parseSqueue(out);
  assertEquals([...jobs.keys()], ["3", "4", "1", "2", "5", "6"]);
  assertEquals(jobs.get("1"), {
    id: "1",
    name: "train[config=fashion-mnist-cross-entropy,n=200,run=ee,seed=0]",
    state: "COMPLETED",
    reason: "",
    nodes: "vm",
  });
  assertEquals([jobs.get("3")!.state, jobs.get("3")!.reason, jobs.get("3")!.nodes], [
    "CANCELLED",
    "Resources",
    "",
  ]);
  assertEquals(jobs.get("5")!.reason, "TimeLimit");
  assertEquals([jobs.get("6")!.name, jobs.get("6")!.nodes], ["odd|name", "node[01-02]"]);
  assertEquals(parseSqueue("").size, 0);
  assertThrows(() => parseSqueue("JOBID|STATE\n"), Error, "not %i|%T|%r|%N|%j");
});

Deno.test("sacct -n -P -X: 'CANCELLED by UID' reads as CANCELLED, exit codes kept, steps skipped", () => {
  const out = [
    "17|COMPLETED|0:0|None|n1|data[n=32]",
    "18|CANCELLED by 1000|0:15|None|n2|train[run=ee]",
    "18.batch|CANCELLED|0:15||n2|batch",
    "19|OUT_OF_MEMORY|0:125|None|n3|fit",
    "20|PENDING|0:0|Priority|None assigned|report",
  ].join("\n");
  const jobs = parseSacct(out);
  assertEquals([...jobs.keys()], ["17", "18", "19", "20"]);
  assertEquals(jobs.get("18")!.state, "CANCELLED");
  assertEquals(jobs.get("18")!.exitCode, "0:15");
  assertEquals(jobs.get("19")!.state, "OUT_OF_MEMORY");
  assertEquals([jobs.get("20")!.nodes, jobs.get("20")!.reason], ["", "Priority"]);
  assertEquals(jobs.get("17")!.name, "data[n=32]");
});

Deno.test("jobcomp/filetxt lines: name, state, work directory and times", () => {
  // Captured from JobCompLoc of the one-node cluster.
  const line = "JobId=1 UserId=root(0) GroupId=root(0) " +
    "Name=train[config=fashion-mnist-cross-entropy,n=200,run=ee,seed=0] JobState=COMPLETED " +
    "Partition=debug TimeLimit=UNLIMITED StartTime=2026-12-01T21:09:07 " +
    "EndTime=2026-12-01T21:09:09 NodeList=vm NodeCnt=1 ProcCnt=1 WorkDir=/tmp/sl " +
    "ReservationName= Tres=cpu=1,mem=24105M,node=1,billing=1 Account= QOS= WcKey= " +
    "Cluster=unknown SubmitTime=2026-12-01T21:09:07 EligibleTime=2026-12-01T21:09:07 " +
    "DerivedExitCode=0:0 ExitCode=0:0 ";
  assertEquals(parseJobcompLine(line), {
    id: "1",
    name: "train[config=fashion-mnist-cross-entropy,n=200,run=ee,seed=0]",
    state: "COMPLETED",
    start: "2026-12-01T21:09:07",
    end: "2026-12-01T21:09:09",
    nodes: "vm",
    workDir: "/tmp/sl",
    exitCode: "0:0",
  });
  const cancelled = "JobId=3 UserId=root(0) GroupId=root(0) Name=canc JobState=CANCELLED " +
    "Partition=debug TimeLimit=UNLIMITED StartTime=2026-12-01T21:09:07 " +
    "EndTime=2026-12-01T21:09:07 NodeList=(null) NodeCnt=0 ProcCnt=0 WorkDir=/tmp/sl " +
    "ReservationName= Tres=cpu=1 Account= QOS= WcKey= Cluster=unknown " +
    "SubmitTime=2026-12-01T21:09:07 EligibleTime=2026-12-01T21:09:07 DerivedExitCode=0:0 " +
    "ExitCode=0:0 ";
  assertEquals(parseJobcompLine(cancelled).state, "CANCELLED");
  assertThrows(() => parseJobcompLine("JobId=3 nothing else"), Error, "lacks");
});

Deno.test("final states are those after which a job never runs again", () => {
  for (const s of ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"]) {
    assertEquals(isFinal(s), true, s);
  }
  for (const s of ["PENDING", "RUNNING", "COMPLETING", "CONFIGURING", "REQUEUED", "SUSPENDED"]) {
    assertEquals(isFinal(s), false, s);
  }
});

Deno.test("a job's end names its SLURM state and id, and says what to do", () => {
  assertEquals(
    describeJobEnd({ id: "7", state: "FAILED", nodes: "vm", exitStatus: 1 }),
    "SLURM job 7 FAILED on vm (exit status 1)",
  );
  assertMatch(describeJobEnd({ id: "8", state: "CANCELLED" }), /^SLURM job 8 was CANCELLED/);
  assertMatch(
    describeJobEnd({ id: "9", state: "TIMEOUT", timeLimit: "1:00:00" }),
    /^SLURM job 9 TIMEOUT: it ran past its time limit of 1:00:00; raise the stage's timeLimit.*resumes from its checkpoint$/,
  );
  assertMatch(
    describeJobEnd({ id: "10", state: "NODE_FAIL", nodes: "n3" }),
    /^SLURM job 10 NODE_FAIL: its node \(n3\) failed; run again/,
  );
  assertMatch(
    describeJobEnd({ id: "11", state: "OUT_OF_MEMORY", memory: "2G" }),
    /^SLURM job 11 OUT_OF_MEMORY: it needed more than its 2G; raise the stage's memory/,
  );
  assertEquals(describeJobEnd({ id: "12", state: "REVOKED" }), "SLURM job 12 ended REVOKED");
});
