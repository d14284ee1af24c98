//! Evaluating a selection against a [`Graph`] the way dbt-core's node selector does: atoms are
//! searched, graph operators applied, tests adjacent to the result selected indirectly according
//! to the [`IndirectSelection`] mode, set operations combined, `--exclude` (always eager) taken
//! away after selection, and the `--resource-type` filter applied last.

use std::collections::BTreeSet;

use crate::error::GraphError;
use crate::graph::Graph;
use crate::methods;
use crate::node::ResourceType;
use crate::nodeset::NodeSet;
use crate::selectors_yaml::Selectors;
use crate::spec::{IndirectSelection, Method, SelectionAtom, SelectionSpec};

/// What dbt selects when no `--select` is given.
const DEFAULT_INCLUDES: &str =
    "fqn:* source:* exposure:* metric:* semantic_model:* saved_query:* unit_test:*";

/// One invocation's selection flags.
#[derive(Debug, Clone)]
pub struct SelectionCriteria<'a> {
    /// `--select` arguments, unioned; empty selects everything.
    pub select: Vec<SelectionSpec>,
    /// `--exclude` arguments, unioned; applied after selection, with eager indirect selection.
    pub exclude: Vec<SelectionSpec>,
    /// `--selector <name>`: when set, `select` and `exclude` are ignored, as in dbt.
    pub selector: Option<String>,
    /// `--resource-type` filter applied to the final result.
    pub resource_types: Option<Vec<ResourceType>>,
    /// `--indirect-selection`.
    pub indirect_selection: IndirectSelection,
    /// The project's `selectors.yml`, for `selector:`, `--selector` and the default selector.
    pub selectors: &'a Selectors,
}

impl<'a> SelectionCriteria<'a> {
    /// Criteria selecting everything (or the default selector), eager, no filters.
    pub fn new(selectors: &'a Selectors) -> Self {
        SelectionCriteria {
            select: Vec::new(),
            exclude: Vec::new(),
            selector: None,
            resource_types: None,
            indirect_selection: IndirectSelection::Eager,
            selectors,
        }
    }
}

/// Selects unique ids from `graph`.
///
/// Precedence as in dbt: `--selector` if given; else the `default: true` selector when neither
/// `--select` nor `--exclude` is given; else `--select` minus `--exclude`.
pub fn select(
    graph: &Graph,
    criteria: &SelectionCriteria<'_>,
) -> Result<BTreeSet<String>, GraphError> {
    let mut eval = Evaluator {
        graph,
        selectors: criteria.selectors,
        stack: Vec::new(),
    };
    let mode = criteria.indirect_selection;
    let named = match &criteria.selector {
        Some(name) => Some(name.as_str()),
        None if criteria.select.is_empty() && criteria.exclude.is_empty() => criteria
            .selectors
            .default_selector()
            .map(|d| d.name.as_str()),
        None => None,
    };
    let mut selected = match named {
        Some(name) => eval.named_selector(name, mode)?,
        None => {
            let include = if criteria.select.is_empty() {
                SelectionSpec::parse(DEFAULT_INCLUDES)?
            } else {
                SelectionSpec::Union(criteria.select.clone())
            };
            let (mut direct, _) = eval.eval(&include, mode)?;
            if !criteria.exclude.is_empty() {
                let exclude = SelectionSpec::Union(criteria.exclude.clone());
                let (excluded, _) = eval.eval(&exclude, IndirectSelection::Eager)?;
                direct.difference_with(&excluded);
            }
            direct
        }
    };
    if let Some(types) = &criteria.resource_types {
        for i in selected.clone().iter() {
            if !types.contains(&graph.node_at(i).resource_type) {
                selected.remove(i);
            }
        }
    }
    Ok(graph.ids(&selected))
}

impl Graph {
    /// Shorthand for [`select`]`(self, criteria)`.
    pub fn select(&self, criteria: &SelectionCriteria<'_>) -> Result<BTreeSet<String>, GraphError> {
        select(self, criteria)
    }
}

/// Directly selected nodes, and nodes only indirectly selected (tests waiting for more parents).
type Bundle = (NodeSet, NodeSet);

struct Evaluator<'a> {
    graph: &'a Graph,
    selectors: &'a Selectors,
    /// Named selectors being evaluated, to report reference loops.
    stack: Vec<String>,
}

impl Evaluator<'_> {
    fn eval(
        &mut self,
        spec: &SelectionSpec,
        mode: IndirectSelection,
    ) -> Result<Bundle, GraphError> {
        let (parts, combine): (Vec<&SelectionSpec>, fn(&mut NodeSet, &NodeSet)) = match spec {
            SelectionSpec::Atom(atom) => return self.eval_atom(atom, mode),
            SelectionSpec::Union(parts) => (parts.iter().collect(), NodeSet::union_with),
            SelectionSpec::Intersection(parts) => (parts.iter().collect(), NodeSet::intersect_with),
            SelectionSpec::Difference { include, exclude } => {
                (vec![&**include, &**exclude], NodeSet::difference_with)
            }
        };
        let mut combined: Option<Bundle> = None;
        for part in parts {
            let (direct, indirect) = self.eval(part, mode)?;
            let mut with_indirect = indirect;
            with_indirect.union_with(&direct);
            combined = Some(match combined {
                None => (direct, with_indirect),
                Some((mut d, mut i)) => {
                    combine(&mut d, &direct);
                    combine(&mut i, &with_indirect);
                    (d, i)
                }
            });
        }
        let (direct, indirect) =
            combined.unwrap_or_else(|| (self.graph.empty_set(), self.graph.empty_set()));
        let direct = self.incorporate(direct, &indirect, mode);
        Ok((direct, indirect))
    }

    fn eval_atom(
        &mut self,
        atom: &SelectionAtom,
        mode: IndirectSelection,
    ) -> Result<Bundle, GraphError> {
        let mode = atom.indirect_selection.unwrap_or(mode);
        let collected = match atom.method {
            Method::Selector => self.named_selector(&atom.value, mode)?,
            _ => methods::search(self.graph, atom)?,
        };
        let mut selected = collected.clone();
        if atom.childrens_parents {
            let mut base = self.graph.reach(&collected, None, false);
            base.union_with(&collected);
            selected.union_with(&base);
            selected.union_with(&self.graph.reach(&base, None, true));
        }
        if atom.parents {
            selected.union_with(&self.graph.reach(&collected, atom.parents_depth, true));
        }
        if atom.children {
            selected.union_with(&self.graph.reach(&collected, atom.children_depth, false));
        }
        Ok(self.expand(selected, mode))
    }

    /// The direct result of a named selector's definition.
    fn named_selector(
        &mut self,
        name: &str,
        mode: IndirectSelection,
    ) -> Result<NodeSet, GraphError> {
        let def = self
            .selectors
            .get(name)
            .ok_or_else(|| GraphError::UnknownSelector {
                name: name.to_owned(),
                available: self.selectors.names().map(str::to_owned).collect(),
            })?;
        if self.stack.iter().any(|s| s == name) {
            let mut chain = self.stack.clone();
            chain.push(name.to_owned());
            let from = chain.iter().position(|s| s == name).unwrap_or(0);
            return Err(GraphError::SelectorCycle {
                chain: chain[from..].to_vec(),
            });
        }
        self.stack.push(name.to_owned());
        let result = self.eval(&def.definition, mode);
        self.stack.pop();
        Ok(result?.0)
    }

    /// dbt's `expand_selection`: tests that are children of selected nodes.
    fn expand(&self, selected: NodeSet, mode: IndirectSelection) -> Bundle {
        let graph = self.graph;
        let mut indirect = graph.empty_set();
        if mode == IndirectSelection::Empty {
            return (selected, indirect);
        }
        let buildable_base = (mode == IndirectSelection::Buildable).then(|| {
            let mut s = self.with_ancestors(&selected);
            for i in 0..graph.len() {
                if graph.node_at(i).resource_type == ResourceType::Source {
                    s.insert(i);
                }
            }
            s
        });
        let mut direct = selected.clone();
        let mut seen = graph.empty_set();
        for s in selected.iter() {
            for &c in graph.children_of(s) {
                if !seen.insert(c) || !graph.node_at(c).resource_type.is_test() {
                    continue;
                }
                let all_in = |set: &NodeSet| graph.parents_of(c).iter().all(|&p| set.contains(p));
                if mode == IndirectSelection::Eager
                    || all_in(&selected)
                    || buildable_base.as_ref().is_some_and(all_in)
                {
                    direct.insert(c);
                } else {
                    indirect.insert(c);
                }
            }
        }
        (direct, indirect)
    }

    /// dbt's `incorporate_indirect_nodes`: after a set operation, data tests held back by
    /// cautious/buildable selection join when their parents are now all present.
    fn incorporate(&self, direct: NodeSet, indirect: &NodeSet, mode: IndirectSelection) -> NodeSet {
        if &direct == indirect {
            return direct;
        }
        let base = match mode {
            IndirectSelection::Cautious => direct.clone(),
            IndirectSelection::Buildable => self.with_ancestors(&direct),
            IndirectSelection::Eager | IndirectSelection::Empty => return direct,
        };
        let mut out = direct;
        for t in indirect.iter() {
            let node = self.graph.node_at(t);
            if node.resource_type == ResourceType::Test
                && self.graph.parents_of(t).iter().all(|&p| base.contains(p))
            {
                out.insert(t);
            }
        }
        out
    }

    fn with_ancestors(&self, set: &NodeSet) -> NodeSet {
        let mut s = self.graph.reach(set, None, true);
        s.union_with(set);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::GraphNode;

    fn node(id: &str, rt: ResourceType, deps: &[&str]) -> GraphNode {
        let name = id.rsplit('.').next().unwrap().to_string();
        GraphNode {
            unique_id: id.into(),
            resource_type: rt,
            package_name: "p".into(),
            fqn: vec!["p".into(), name.clone()],
            name,
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            ..GraphNode::default()
        }
    }

    /// a -> b -> c, test t_bc on (b, c), test t_ac on (a, c).
    fn graph() -> Graph {
        use ResourceType::*;
        Graph::new(vec![
            node("m.a", Model, &[]),
            node("m.b", Model, &["m.a"]),
            node("m.c", Model, &["m.b"]),
            node("t.bc", Test, &["m.b", "m.c"]),
            node("t.ac", Test, &["m.a", "m.c"]),
        ])
        .unwrap()
    }

    fn run(sel: &str, mode: IndirectSelection) -> Vec<String> {
        let selectors = Selectors::default();
        let mut c = SelectionCriteria::new(&selectors);
        c.select = vec![SelectionSpec::parse(sel).unwrap()];
        c.indirect_selection = mode;
        select(&graph(), &c).unwrap().into_iter().collect()
    }

    #[test]
    fn modes() {
        use IndirectSelection::*;
        assert_eq!(run("c", Eager), ["m.c", "t.ac", "t.bc"]);
        assert_eq!(run("c", Cautious), ["m.c"]);
        assert_eq!(run("b c", Cautious), ["m.b", "m.c", "t.bc"]);
        assert_eq!(run("c", Buildable), ["m.c", "t.ac", "t.bc"]);
        assert_eq!(run("b", Buildable), ["m.b"]);
        assert_eq!(run("c", Empty), ["m.c"]);
        assert_eq!(run("+c", Empty), ["m.a", "m.b", "m.c"]);
        assert_eq!(run("c+", Cautious), ["m.c", "t.ac", "t.bc"]);
    }

    #[test]
    fn default_selects_everything() {
        let selectors = Selectors::default();
        let c = SelectionCriteria::new(&selectors);
        assert_eq!(select(&graph(), &c).unwrap().len(), 5);
    }
}
