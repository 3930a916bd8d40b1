//! The administrator's page of the plan, read-only (`/admin/plan`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

use super::super::app::App;
use super::super::guard::{PageError, require, viewer, with_state};
use super::super::render::page;
use crate::domain::people::Role;

#[derive(Serialize)]
struct PlanItem {
    id: String,
    title: String,
    department: String,
    note: String,
}

#[derive(Serialize)]
struct Heading {
    name: String,
    items: Vec<PlanItem>,
}

/// `GET /admin/plan`: the plan, read-only: its scale, headings, items and their departments.
pub async fn plan(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<Response, PageError> {
    let (s, who) = viewer(&app, &headers).await?;
    require(&who, &[Role::Admin])?;
    let (name, origin, grades, cadence, headings, departments) = with_state(&app, |st| {
        let plan = st.plan.clone();
        let mut headings: Vec<Heading> = st
            .categories
            .iter()
            .map(|c| Heading {
                name: c.clone(),
                items: Vec::new(),
            })
            .collect();
        let mut departments: Vec<String> = Vec::new();
        for item in st.items_in_order() {
            let mut notes = Vec::new();
            if item.withdrawn {
                notes.push("取り下げ".to_string());
            }
            if let Some(from) = item.from {
                notes.push(format!("{}から", from.label()));
            }
            if let Some((into, at)) = &item.merged {
                notes.push(format!("{}から項目 {into} に集約", at.label()));
            }
            if let Some(n) = &item.relisting_of {
                notes.push(format!("No.{n}の再掲"));
            }
            if !item.withdrawn
                && !departments
                    .iter()
                    .any(|d| crate::domain::ident::same(d, &item.department))
            {
                departments.push(item.department.clone());
            }
            let row = PlanItem {
                id: item.id.to_string(),
                title: item.title.clone(),
                department: item.department.clone(),
                note: notes.join("、"),
            };
            match headings.iter_mut().find(|h| h.name == item.category) {
                Some(h) => h.items.push(row),
                None => headings.push(Heading {
                    name: item.category.clone(),
                    items: vec![row],
                }),
            }
        }
        (
            plan.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
            plan.as_ref().map(|p| p.origin.clone()).unwrap_or_default(),
            plan.as_ref().map(|p| p.grades.clone()).unwrap_or_default(),
            plan.as_ref().map(|p| p.cadence.label()).unwrap_or_default(),
            headings,
            departments,
        )
    })
    .await?;
    Ok(page(
        StatusCode::OK,
        "admin_plan.html",
        context! {
            title => "計画",
            plan => name,
            origin => origin,
            grades => grades,
            cadence => cadence,
            headings => minijinja::value::Serde(&headings),
            departments => departments,
            person => s.person.clone(),
            csrf => s.csrf.clone(),
        },
    ))
}
