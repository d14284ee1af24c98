//! Relation naming at parse time: the `generate_database_name`, `generate_schema_name` and
//! `generate_alias_name` calls made for every node, and a memo that skips them when the project
//! leaves them to runner's built-ins.
//!
//! Why a memo: these three macro calls (each through `adapter.dispatch`, each handed the node as
//! a dict) were a quarter of `parse` on large projects. runner's built-in versions depend only on
//! the custom name (`+schema: marts` gives `<target.schema>_marts` for every node), plus the node's
//! name and version for the alias, so when the registry proves that the built-ins are what would
//! run, one render per distinct custom name gives the answer for every node. A project that
//! overrides any of them, directly or through `dispatch:`, gets the macro call for every node.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::registry::{INTERNAL_PACKAGE, MacroRegistry};

/// One of the three naming hooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamingHook {
    /// `generate_database_name`.
    Database,
    /// `generate_schema_name`.
    Schema,
    /// `generate_alias_name`.
    Alias,
}

impl NamingHook {
    /// The macro's name.
    pub fn macro_name(self) -> &'static str {
        match self {
            NamingHook::Database => "generate_database_name",
            NamingHook::Schema => "generate_schema_name",
            NamingHook::Alias => "generate_alias_name",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Per-invocation knowledge about the naming hooks (lives in the shared render context).
#[derive(Debug, Default)]
pub struct NamingMemo {
    builtin: OnceLock<[bool; 3]>,
    rendered: Mutex<HashMap<(NamingHook, Option<String>), String>>,
}

impl NamingMemo {
    /// Whether `hook` runs runner's built-in macro for nodes of every package: the name resolves
    /// to the internal macro from the root project and its `adapter.dispatch(…, 'dbt')` lands on
    /// the internal `default__` implementation.
    pub fn is_builtin(&self, registry: &MacroRegistry, root: &str, hook: NamingHook) -> bool {
        self.builtin.get_or_init(|| {
            [NamingHook::Database, NamingHook::Schema, NamingHook::Alias]
                .map(|h| builtin_in(registry, root, h.macro_name()))
        })[hook.index()]
    }

    /// The memoised output of a built-in hook for `custom`, or the result of `render` (stored).
    pub fn get_or_render<E>(
        &self,
        hook: NamingHook,
        custom: Option<&str>,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        let key = (hook, custom.map(str::to_string));
        if let Some(found) = self.lock().get(&key) {
            return Ok(found.clone());
        }
        // Rendered outside the lock: the macro may be slow, and two threads rendering the same
        // key compute the same string.
        let value = render()?;
        self.lock().insert(key, value.clone());
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(NamingHook, Option<String>), String>> {
        self.rendered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn builtin_in(registry: &MacroRegistry, root: &str, name: &str) -> bool {
    let resolved_internal = registry
        .resolve(root, name)
        .is_some_and(|m| m.package == INTERNAL_PACKAGE);
    let dispatched_default = registry
        .dispatch(root, name, Some(INTERNAL_PACKAGE))
        .is_ok_and(|m| {
            m.package == INTERNAL_PACKAGE && m.name.strip_prefix("default__") == Some(name)
        });
    resolved_internal && dispatched_default
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use runner_jinja::Template;

    use super::{NamingHook, NamingMemo};
    use crate::registry::{INTERNAL_PACKAGE, MacroRegistry};

    const BUILTINS: &str = "
        {% macro generate_schema_name(c=none, node=none) %}{% endmacro %}
        {% macro default__generate_schema_name(c, node) %}{% endmacro %}
        {% macro generate_alias_name(c=none, node=none) %}{% endmacro %}
        {% macro default__generate_alias_name(c, node) %}{% endmacro %}
        {% macro generate_database_name(c=none, node=none) %}{% endmacro %}
        {% macro default__generate_database_name(c, node) %}{% endmacro %}";

    fn registry(project_macros: &str) -> MacroRegistry {
        let mut r = MacroRegistry::new("shop", "postgres");
        let internal = Template::parse("naming.sql", BUILTINS).unwrap();
        r.add_template(INTERNAL_PACKAGE, "naming.sql", Arc::new(internal));
        let own = Template::parse("macros/own.sql", project_macros).unwrap();
        r.add_template("shop", "macros/own.sql", Arc::new(own));
        r
    }

    fn builtin(project_macros: &str) -> [bool; 3] {
        let r = registry(project_macros);
        let memo = NamingMemo::default();
        [NamingHook::Database, NamingHook::Schema, NamingHook::Alias]
            .map(|h| memo.is_builtin(&r, "shop", h))
    }

    #[test]
    fn builtins_when_the_project_overrides_nothing() {
        assert_eq!(builtin(""), [true, true, true]);
    }

    #[test]
    fn an_override_by_name_or_through_dispatch_is_not_builtin() {
        let direct = "{% macro generate_schema_name(c, node) %}x{% endmacro %}";
        assert_eq!(builtin(direct), [true, false, true]);
        let dispatched = "{% macro default__generate_alias_name(c, node) %}x{% endmacro %}";
        assert_eq!(builtin(dispatched), [true, true, false]);
        let adapter = "{% macro postgres__generate_database_name(c, node) %}x{% endmacro %}";
        assert_eq!(builtin(adapter), [false, true, true]);
    }

    #[test]
    fn the_memo_renders_each_custom_name_once() {
        let memo = NamingMemo::default();
        let mut renders = 0;
        for _ in 0..3 {
            let got = memo.get_or_render(NamingHook::Schema, Some("marts"), || {
                renders += 1;
                Ok::<_, ()>("analytics_marts".to_string())
            });
            assert_eq!(got, Ok("analytics_marts".to_string()));
        }
        let other = memo.get_or_render(NamingHook::Schema, None, || Ok::<_, ()>("x".into()));
        assert_eq!(other, Ok("x".to_string()));
        assert_eq!(renders, 1);
    }
}
