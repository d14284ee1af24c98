//! [`Graph`]: the project DAG built from the nodes' `depends_on`, with validation (unknown
//! parents, duplicate ids, cycles named edge by edge), a deterministic topological order and
//! parent/child/ancestor/descendant queries.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use crate::error::GraphError;
use crate::node::GraphNode;
use crate::nodeset::NodeSet;

/// The project DAG. Nodes are stored sorted by unique id; edges run parent → child.
#[derive(Debug, Clone)]
pub struct Graph {
    nodes: Vec<GraphNode>,
    index: HashMap<String, usize>,
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    topo: Vec<usize>,
    root_project: Option<String>,
}

impl Graph {
    /// Builds the DAG. Fails on a duplicate unique id, on a `depends_on` naming a node that is not
    /// among `nodes`, and on a dependency cycle (the error names the cycle).
    pub fn new(mut nodes: Vec<GraphNode>) -> Result<Graph, GraphError> {
        nodes.sort_by(|a, b| a.unique_id.cmp(&b.unique_id));
        let mut index = HashMap::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            if index.insert(node.unique_id.clone(), i).is_some() {
                return Err(GraphError::DuplicateNode {
                    unique_id: node.unique_id.clone(),
                });
            }
        }
        let mut parents = vec![Vec::new(); nodes.len()];
        let mut children = vec![Vec::new(); nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            for dep in &node.depends_on {
                let Some(&p) = index.get(dep) else {
                    return Err(GraphError::UnknownParent {
                        node: node.unique_id.clone(),
                        parent: dep.clone(),
                    });
                };
                parents[i].push(p);
                children[p].push(i);
            }
        }
        for list in parents.iter_mut().chain(children.iter_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        let mut graph = Graph {
            nodes,
            index,
            parents,
            children,
            topo: Vec::new(),
            root_project: None,
        };
        graph.topo = graph.compute_topo()?;
        Ok(graph)
    }

    /// Names the root project, which `package:this` refers to.
    pub fn with_root_project(mut self, name: impl Into<String>) -> Graph {
        self.root_project = Some(name.into());
        self
    }

    /// The root project's name, if set.
    pub fn root_project(&self) -> Option<&str> {
        self.root_project.as_deref()
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// All nodes, sorted by unique id.
    pub fn nodes(&self) -> impl Iterator<Item = &GraphNode> {
        self.nodes.iter()
    }

    /// The node with this unique id.
    pub fn node(&self, unique_id: &str) -> Option<&GraphNode> {
        self.index.get(unique_id).map(|&i| &self.nodes[i])
    }

    /// Whether a node with this unique id exists.
    pub fn contains(&self, unique_id: &str) -> bool {
        self.index.contains_key(unique_id)
    }

    /// Every unique id, parents before children; among nodes whose parents are all placed, the
    /// smallest unique id comes first.
    pub fn topo_order(&self) -> Vec<&str> {
        self.topo.iter().map(|&i| self.id(i)).collect()
    }

    /// The direct parents of a node, sorted.
    pub fn parents(&self, unique_id: &str) -> Result<Vec<&str>, GraphError> {
        let i = self.require(unique_id)?;
        Ok(self.parents[i].iter().map(|&p| self.id(p)).collect())
    }

    /// The direct children of a node, sorted.
    pub fn children(&self, unique_id: &str) -> Result<Vec<&str>, GraphError> {
        let i = self.require(unique_id)?;
        Ok(self.children[i].iter().map(|&c| self.id(c)).collect())
    }

    /// Ancestors up to `depth` edges away (all of them for `None`), not including the node itself.
    pub fn ancestors(
        &self,
        unique_id: &str,
        depth: Option<usize>,
    ) -> Result<BTreeSet<String>, GraphError> {
        let i = self.require(unique_id)?;
        Ok(self.ids(&self.reach(&self.singleton(i), depth, true)))
    }

    /// Descendants up to `depth` edges away (all of them for `None`), not including the node itself.
    pub fn descendants(
        &self,
        unique_id: &str,
        depth: Option<usize>,
    ) -> Result<BTreeSet<String>, GraphError> {
        let i = self.require(unique_id)?;
        Ok(self.ids(&self.reach(&self.singleton(i), depth, false)))
    }

    // ---- crate-internal, index based ----

    pub(crate) fn id(&self, i: usize) -> &str {
        &self.nodes[i].unique_id
    }

    pub(crate) fn node_at(&self, i: usize) -> &GraphNode {
        &self.nodes[i]
    }

    pub(crate) fn index_of(&self, unique_id: &str) -> Option<usize> {
        self.index.get(unique_id).copied()
    }

    pub(crate) fn parents_of(&self, i: usize) -> &[usize] {
        &self.parents[i]
    }

    pub(crate) fn children_of(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    pub(crate) fn empty_set(&self) -> NodeSet {
        NodeSet::new(self.nodes.len())
    }

    pub(crate) fn ids(&self, set: &NodeSet) -> BTreeSet<String> {
        set.iter().map(|i| self.id(i).to_owned()).collect()
    }

    fn singleton(&self, i: usize) -> NodeSet {
        let mut s = self.empty_set();
        s.insert(i);
        s
    }

    fn require(&self, unique_id: &str) -> Result<usize, GraphError> {
        self.index_of(unique_id)
            .ok_or_else(|| GraphError::UnknownNode {
                unique_id: unique_id.to_owned(),
            })
    }

    /// Nodes reachable from `start` within `depth` edges, upwards (parents) or downwards.
    /// Start nodes are only included when reachable from another start node.
    pub(crate) fn reach(&self, start: &NodeSet, depth: Option<usize>, up: bool) -> NodeSet {
        let mut seen = self.empty_set();
        let mut out = self.empty_set();
        let mut frontier: Vec<usize> = start.iter().collect();
        for &s in &frontier {
            seen.insert(s);
        }
        let mut level = 0;
        while !frontier.is_empty() && depth.is_none_or(|d| level < d) {
            let mut next = Vec::new();
            for &n in &frontier {
                let edges = if up {
                    &self.parents[n]
                } else {
                    &self.children[n]
                };
                for &m in edges {
                    out.insert(m);
                    if seen.insert(m) {
                        next.push(m);
                    }
                }
            }
            frontier = next;
            level += 1;
        }
        out
    }

    fn compute_topo(&self) -> Result<Vec<usize>, GraphError> {
        let n = self.nodes.len();
        let mut indegree: Vec<usize> = self.parents.iter().map(Vec::len).collect();
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| indegree[i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            for &c in &self.children[i] {
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.push(Reverse(c));
                }
            }
        }
        if order.len() == n {
            return Ok(order);
        }
        Err(GraphError::Cycle {
            cycle: self.find_cycle(&indegree),
        })
    }

    /// Every node left with a positive in-degree after Kahn's algorithm has a parent that is also
    /// left, so walking smallest remaining parents from the smallest remaining node must loop.
    fn find_cycle(&self, indegree: &[usize]) -> Vec<String> {
        let remaining = |i: usize| indegree[i] > 0;
        let start = (0..self.nodes.len())
            .find(|&i| remaining(i))
            .expect("a cycle leaves nodes unprocessed");
        let mut walk = vec![start];
        let mut pos: HashMap<usize, usize> = HashMap::from([(start, 0)]);
        let mut cur = start;
        let cycle_start = loop {
            cur = *self.parents[cur]
                .iter()
                .find(|&&p| remaining(p))
                .expect("an unprocessed node has an unprocessed parent");
            if let Some(&at) = pos.get(&cur) {
                break at;
            }
            pos.insert(cur, walk.len());
            walk.push(cur);
        };
        // `walk[cycle_start..]` follows child → parent edges; turn it into parent → child order
        // and rotate it to start at the smallest unique id.
        let mut cycle: Vec<usize> = walk[cycle_start..].iter().rev().copied().collect();
        let min_at = (0..cycle.len()).min_by_key(|&k| cycle[k]).unwrap_or(0);
        cycle.rotate_left(min_at);
        cycle.push(cycle[0]);
        cycle.into_iter().map(|i| self.id(i).to_owned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, deps: &[&str]) -> GraphNode {
        GraphNode {
            unique_id: id.into(),
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            ..GraphNode::default()
        }
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn topo_order_is_deterministic() {
        let g = Graph::new(vec![
            node("d", &["b", "c"]),
            node("c", &["a"]),
            node("b", &["a"]),
            node("a", &[]),
            node("e", &[]),
        ])
        .unwrap();
        assert_eq!(g.topo_order(), vec!["a", "b", "c", "d", "e"]);
        let g = Graph::new(vec![node("z", &[]), node("y", &["z"]), node("a", &["y"])]).unwrap();
        assert_eq!(g.topo_order(), vec!["z", "y", "a"]);
    }

    #[test]
    fn relations() {
        let g = Graph::new(vec![
            node("a", &[]),
            node("b", &["a"]),
            node("c", &["b", "b"]),
            node("d", &["c", "a"]),
        ])
        .unwrap();
        assert_eq!(g.parents("d").unwrap(), vec!["a", "c"]);
        assert_eq!(g.children("a").unwrap(), vec!["b", "d"]);
        assert_eq!(g.parents("c").unwrap(), vec!["b"]);
        assert_eq!(g.ancestors("d", None).unwrap(), set(&["a", "b", "c"]));
        assert_eq!(g.ancestors("d", Some(1)).unwrap(), set(&["a", "c"]));
        assert_eq!(g.ancestors("d", Some(0)).unwrap(), set(&[]));
        assert_eq!(g.descendants("a", None).unwrap(), set(&["b", "c", "d"]));
        assert_eq!(g.descendants("b", Some(1)).unwrap(), set(&["c"]));
        assert!(g.node("b").is_some());
        assert!(g.node("x").is_none());
        assert_eq!(
            g.parents("x"),
            Err(GraphError::UnknownNode {
                unique_id: "x".into()
            })
        );
    }

    #[test]
    fn errors() {
        let err = Graph::new(vec![node("model.p.a", &["model.p.missing"])]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "node `model.p.a` depends on `model.p.missing`, which is not in the graph"
        );
        let err = Graph::new(vec![node("a", &[]), node("a", &[])]).unwrap_err();
        assert_eq!(
            err,
            GraphError::DuplicateNode {
                unique_id: "a".into()
            }
        );
    }

    #[test]
    fn cycles_are_named() {
        let err = Graph::new(vec![
            node("model.p.a", &["model.p.b"]),
            node("model.p.b", &["model.p.a"]),
            node("model.p.c", &["model.p.a"]),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Found a cycle: model.p.a -> model.p.b -> model.p.a"
        );
        let err = Graph::new(vec![
            node("x", &["z"]),
            node("y", &["x"]),
            node("z", &["y"]),
            node("w", &["x"]),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            GraphError::Cycle {
                cycle: vec!["x".into(), "y".into(), "z".into(), "x".into()]
            }
        );
        let err = Graph::new(vec![node("s", &["s"])]).unwrap_err();
        assert_eq!(err.to_string(), "Found a cycle: s -> s");
    }
}
