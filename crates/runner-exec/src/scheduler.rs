//! The run graph and the worker pool: which selected nodes wait for which (through unselected and
//! ephemeral nodes, and in `build` behind the tests of what they select from), `--threads` workers
//! each with its own connection, skipping the dependents of failures, and `--fail-fast`.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use runner_adapters::{Adapter, Connection};
use runner_artifacts::{
    Manifest, ManifestNode, NodeRunResult, ResourceType, ResponseInfo, RunStatus,
};

use crate::console::Console;
use crate::interrupt::Interrupt;
use crate::node::{NodeEnv, NodeOutcome, run_node};

/// Dependencies among the nodes that will run.
pub struct RunGraph {
    /// Nodes to run, in a stable order.
    pub order: Vec<String>,
    /// Each node's prerequisites among `order`.
    pub parents: HashMap<String, BTreeSet<String>>,
    /// Each node's dependents among `order`.
    pub children: HashMap<String, BTreeSet<String>>,
    /// Each node's depth: 0 without prerequisites, else one more than its deepest prerequisite.
    /// Ready nodes start in (depth, unique id) order, the priority dbt's graph queue uses, so
    /// dependencies the DAG cannot see (a model reading a seed through a source) resolve as
    /// they do under dbt.
    pub depth: HashMap<String, usize>,
}

/// True for nodes that execute (ephemeral models and analyses only compile into others).
fn runs(node: Option<&ManifestNode>) -> bool {
    node.is_some_and(|n| match n.resource_type {
        ResourceType::Model => {
            n.config.get("materialized").and_then(|v| v.as_str()) != Some("ephemeral")
        }
        ResourceType::Seed
        | ResourceType::Test
        | ResourceType::Snapshot
        | ResourceType::UnitTest
        | ResourceType::SavedQuery
        | ResourceType::Exposure => true,
        _ => false,
    })
}

impl RunGraph {
    /// The graph over `selected` (topologically ordered ids); with `test_edges`, as `build` has it,
    /// a node also waits for the tests on the nodes it selects from.
    pub fn new(
        manifest: &Manifest,
        extra: &HashMap<String, ManifestNode>,
        selected: &[String],
        test_edges: bool,
    ) -> RunGraph {
        let lookup = |id: &str| extra.get(id).or_else(|| manifest.nodes.get(id));
        let order: Vec<String> = selected
            .iter()
            .filter(|id| runs(lookup(id)))
            .cloned()
            .collect();
        let members: HashSet<&str> = order.iter().map(String::as_str).collect();
        let mut parents: HashMap<String, BTreeSet<String>> = HashMap::new();
        // Everything each node reads, through nodes that do not run (sources, ephemeral models).
        let mut reads: HashMap<String, HashSet<&str>> = HashMap::new();
        for id in &order {
            // Walk up through nodes that do not run here until reaching ones that do.
            let mut found = BTreeSet::new();
            let mut seen = HashSet::new();
            let mut stack: Vec<&str> = lookup(id)
                .expect("run nodes exist")
                .depends_on
                .nodes
                .iter()
                .map(String::as_str)
                .collect();
            while let Some(p) = stack.pop() {
                if !seen.insert(p) {
                    continue;
                }
                if members.contains(p) {
                    found.insert(p.to_string());
                } else if let Some(n) = manifest.nodes.get(p) {
                    stack.extend(n.depends_on.nodes.iter().map(String::as_str));
                } else if let Some(r) = manifest.yaml_resources.get(p) {
                    // Metrics and semantic models lead a saved query back to its models.
                    stack.extend(
                        r["depends_on"]["nodes"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|n| n.as_str()),
                    );
                }
            }
            parents.insert(id.clone(), found);
            if test_edges {
                reads.insert(id.clone(), seen);
            }
        }
        if test_edges {
            add_test_edges(&lookup, &order, &reads, &mut parents);
        }
        // A model waits for its unit tests (selected ones), so a failing unit test skips it.
        for id in &order {
            if let Some(model) = lookup(id)
                .filter(|n| n.resource_type == ResourceType::UnitTest)
                .and_then(|n| n.attached_node.clone())
                && let Some(ps) = parents.get_mut(&model)
            {
                ps.insert(id.clone());
            }
        }
        let mut children: HashMap<String, BTreeSet<String>> = order
            .iter()
            .map(|id| (id.clone(), BTreeSet::new()))
            .collect();
        for (child, ps) in &parents {
            for p in ps {
                children.entry(p.clone()).or_default().insert(child.clone());
            }
        }
        let depth = depths(&parents, &children);
        RunGraph {
            order,
            parents,
            children,
            depth,
        }
    }
}

/// Each node's depth in the graph (the longest chain of prerequisites above it), level by level
/// from the nodes without prerequisites, as dbt groups its queue.
fn depths(
    parents: &HashMap<String, BTreeSet<String>>,
    children: &HashMap<String, BTreeSet<String>>,
) -> HashMap<String, usize> {
    let mut left: HashMap<&str, usize> = parents
        .iter()
        .map(|(id, ps)| (id.as_str(), ps.len()))
        .collect();
    let mut depth: HashMap<String, usize> = HashMap::new();
    let mut level: Vec<&str> = left
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| *id)
        .collect();
    let mut d = 0;
    while !level.is_empty() {
        let mut next = Vec::new();
        for id in level {
            depth.insert(id.to_string(), d);
            for child in &children[id] {
                let n = left
                    .get_mut(child.as_str())
                    .expect("children are run nodes");
                *n -= 1;
                if *n == 0 {
                    next.push(child.as_str());
                }
            }
        }
        level = next;
        d += 1;
    }
    depth
}

/// In `build`, whatever reads a tested node (a model, seed or snapshot, or a source, directly or
/// through ephemeral models) waits for its tests, as dbt's graph has it: a test on several nodes
/// (a relationships test) holds back only the readers that have all of them upstream, so a
/// failing `customers` does not skip a model that reads `orders` alone. `reads` holds, per run
/// node, everything it reads.
fn add_test_edges<'m>(
    lookup: &dyn Fn(&str) -> Option<&'m ManifestNode>,
    order: &[String],
    reads: &HashMap<String, HashSet<&str>>,
    parents: &mut HashMap<String, BTreeSet<String>>,
) {
    let kind = |id: &str| lookup(id).map(|n| n.resource_type);
    // Who reads what, inverted once: scanning every node for every test was quadratic (minutes
    // at 10,000 models).
    let mut readers: HashMap<&str, Vec<&String>> = HashMap::new();
    // What is upstream of a reader, for tests on several nodes only, each reader's set once.
    let mut upstream: HashMap<&str, HashSet<&str>> = HashMap::new();
    // Readers are models, seeds and snapshots. Saved queries and exposures live outside dbt's
    // `nodes`, so its build graph gives them no test edges: a failing test does not skip them.
    let reader = |id: &str| {
        matches!(
            kind(id),
            Some(ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot)
        )
    };
    for id in order.iter().filter(|id| reader(id)) {
        for read in &reads[id] {
            readers.entry(read).or_default().push(id);
        }
    }
    for test in order
        .iter()
        .filter(|id| kind(id) == Some(ResourceType::Test))
    {
        let Some(tested) = lookup(test).map(|t| &t.depends_on.nodes) else {
            continue;
        };
        let waiting: BTreeSet<&String> = tested
            .iter()
            .filter_map(|t| readers.get(t.as_str()))
            .flatten()
            .copied()
            .collect();
        if waiting.is_empty() {
            continue;
        }
        // A reader of the only node a test is on has it upstream already. With all of a test's
        // nodes upstream, a reader cannot be upstream of the test: the graph stays acyclic.
        for reader in waiting {
            if tested.len() > 1 {
                let up = upstream
                    .entry(reader.as_str())
                    .or_insert_with(|| upstream_of(reader, parents, reads, &kind));
                if !tested.iter().all(|t| up.contains(t.as_str())) {
                    continue;
                }
            }
            parents
                .get_mut(reader)
                .expect("every run node has parents")
                .insert(test.clone());
        }
    }
}

/// Everything upstream of `id` in the graph without test edges: what it and every run node above
/// it read (`reads` holds the run parents and the sources and ephemeral models between). Test
/// parents are passed over, so the edges added so far do not change the answer.
fn upstream_of<'m>(
    id: &str,
    parents: &HashMap<String, BTreeSet<String>>,
    reads: &HashMap<String, HashSet<&'m str>>,
    kind: &dyn Fn(&str) -> Option<ResourceType>,
) -> HashSet<&'m str> {
    let mut upstream = HashSet::new();
    let mut visited: HashSet<&str> = HashSet::new();
    let mut stack = vec![id];
    while let Some(node) = stack.pop() {
        if !visited.insert(node) {
            continue;
        }
        upstream.extend(reads[node].iter().copied());
        stack.extend(
            parents[node]
                .iter()
                .map(String::as_str)
                .filter(|p| kind(p) != Some(ResourceType::Test)),
        );
    }
    upstream
}

/// Options of one scheduling pass.
pub struct Schedule<'a> {
    /// Worker threads.
    pub threads: usize,
    /// Stop starting nodes after the first failure.
    pub fail_fast: bool,
    /// Output.
    pub console: &'a Console,
    /// Stops the run from outside: no node starts after it fires.
    pub interrupt: &'a Interrupt,
}

/// A finished node, in completion order.
pub struct Finished {
    /// Node id.
    pub id: String,
    /// What it produced.
    pub outcome: NodeOutcome,
}

fn skipped(id: &str) -> NodeOutcome {
    NodeOutcome {
        result: NodeRunResult {
            unique_id: id.to_string(),
            status: RunStatus::Skipped,
            timing: Vec::new(),
            thread_id: "Thread-1 (worker)".into(),
            execution_time: 0.0,
            adapter_response: ResponseInfo::default(),
            message: None,
            failures: None,
            compiled_code: None,
            relation_name: None,
        },
        compiled: None,
        run_sql: None,
    }
}

/// The message of a node stopped by an [`Interrupt`].
fn cancelled_message(interrupt: &Interrupt) -> String {
    format!(
        "Cancelled: {}",
        interrupt
            .reason()
            .unwrap_or_else(|| "the run was interrupted".into())
    )
}

/// Runs `graph` with `schedule.threads` workers; `first` is an already open connection.
pub fn run_graph(
    env: &NodeEnv,
    adapter: &Adapter,
    first: Box<dyn Connection>,
    graph: &RunGraph,
    schedule: &Schedule,
) -> Vec<Finished> {
    let total = graph.order.len();
    let mut waiting: HashMap<&str, usize> = graph
        .order
        .iter()
        .map(|id| (id.as_str(), graph.parents[id].len()))
        .collect();
    let mut blocked: HashSet<String> = HashSet::new();
    let mut ready: BTreeSet<(usize, String)> = graph
        .order
        .iter()
        .filter(|id| graph.parents[*id].is_empty())
        .map(|id| (graph.depth[id], id.clone()))
        .collect();
    let mut finished: Vec<Finished> = Vec::new();
    let mut next_index = 0usize;

    let threads = schedule.threads.max(1);
    let (job_tx, job_rx) = mpsc::channel::<(String, usize)>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::channel::<(String, usize, NodeOutcome)>();
    let spare: Arc<Mutex<Vec<Box<dyn Connection>>>> = Arc::new(Mutex::new(vec![first]));

    std::thread::scope(|scope| {
        for worker in 0..threads {
            let job_rx = job_rx.clone();
            let done_tx = done_tx.clone();
            let spare = spare.clone();
            let thread_id = format!("Thread-{} (worker)", worker + 1);
            scope.spawn(move || {
                let mut conn: Option<Box<dyn Connection>> = None;
                loop {
                    let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((id, index)) = job else { break };
                    let node = env.node(&id);
                    schedule.console.start(index, total, node);
                    let c = conn
                        .take()
                        .or_else(|| spare.lock().unwrap_or_else(|e| e.into_inner()).pop())
                        .map(Ok)
                        .unwrap_or_else(|| adapter.connect());
                    let outcome = match c {
                        Ok(c) if schedule.interrupt.enter(worker, c.cancel_handle()) => {
                            let (mut outcome, back) = run_node(env, &id, c, &thread_id);
                            schedule.interrupt.leave(worker);
                            conn = back;
                            if schedule.interrupt.is_triggered()
                                && outcome.result.status.is_failure()
                            {
                                outcome.result.message =
                                    Some(cancelled_message(schedule.interrupt));
                            }
                            outcome
                        }
                        Ok(c) => {
                            schedule.interrupt.leave(worker);
                            conn = Some(c);
                            let mut o = skipped(&id);
                            o.result.status = RunStatus::Error;
                            o.result.thread_id = thread_id.clone();
                            o.result.message = Some(cancelled_message(schedule.interrupt));
                            o
                        }
                        Err(e) => {
                            let mut o = skipped(&id);
                            o.result.status = RunStatus::Error;
                            o.result.thread_id = thread_id.clone();
                            o.result.message = Some(format!("Database Error\n  {e}"));
                            o
                        }
                    };
                    schedule.console.result(index, total, node, &outcome.result);
                    if done_tx.send((id, index, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);

        let mut in_flight = 0usize;
        let mut stop = false;
        loop {
            while !stop && !schedule.interrupt.is_triggered() && in_flight < threads {
                let Some(first) = ready.iter().next().cloned() else {
                    break;
                };
                ready.remove(&first);
                let (_, id) = first;
                next_index += 1;
                if blocked.contains(&id) {
                    let node = env.node(&id);
                    let outcome = skipped(&id);
                    schedule
                        .console
                        .result(next_index, total, node, &outcome.result);
                    release(&id, false, graph, &mut waiting, &mut blocked, &mut ready);
                    finished.push(Finished { id, outcome });
                    continue;
                }
                in_flight += 1;
                let _ = job_tx.send((id, next_index));
            }
            if in_flight == 0 {
                break;
            }
            let Ok((id, _, outcome)) = done_rx.recv() else {
                break;
            };
            in_flight -= 1;
            let failed = outcome.result.status.is_failure();
            if failed && schedule.fail_fast {
                stop = true;
            }
            release(&id, failed, graph, &mut waiting, &mut blocked, &mut ready);
            finished.push(Finished { id, outcome });
        }
        drop(job_tx);
    });
    finished
}

/// Marks `id` done: its children lose one prerequisite, and are blocked when it failed.
fn release(
    id: &str,
    failed: bool,
    graph: &RunGraph,
    waiting: &mut HashMap<&str, usize>,
    blocked: &mut HashSet<String>,
    ready: &mut BTreeSet<(usize, String)>,
) {
    let blocked_here = failed || blocked.contains(id);
    let mut queue: VecDeque<&String> = graph.children[id].iter().collect();
    while let Some(child) = queue.pop_front() {
        if blocked_here {
            blocked.insert(child.clone());
        }
        let left = waiting
            .get_mut(child.as_str())
            .expect("children are run nodes");
        *left -= 1;
        if *left == 0 {
            ready.insert((graph.depth[child], child.clone()));
        }
    }
}
