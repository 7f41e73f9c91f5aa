//! Pages of a long admin list: `?page=N` (25 rows a page) with Previous/Next links that keep
//! the list's filters. Rendered by `templates/admin/pager.html`.

/// Rows on one page of an admin list.
pub const PER_PAGE: i64 = 25;

/// Where a list stands: which page of how many, and the links to its neighbours.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The page asked for by `?page=`; anything but a positive number is the first page.
    pub fn requested(raw: Option<&str>) -> i64 {
        raw.and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| (1..=1_000_000).contains(p))
            .unwrap_or(1)
    }

    /// The rows to skip for `page`.
    pub fn offset(page: i64) -> i64 {
        (page - 1) * PER_PAGE
    }

    /// The pager of `page` of a list of `total` rows at `path`, whose links carry `params`
    /// (the filters, empty ones left out) besides `page`.
    pub fn new(path: &str, params: &[(&str, &str)], page: i64, total: i64) -> Pager {
        let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
        let link = |to: i64| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in params.iter().filter(|(_, v)| !v.is_empty()) {
                query.append_pair(name, value);
            }
            if to > 1 {
                query.append_pair("page", &to.to_string());
            }
            let query = query.finish();
            if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            }
        };
        Pager {
            page,
            pages,
            total,
            previous: (page > 1).then(|| link((page - 1).min(pages))),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}
