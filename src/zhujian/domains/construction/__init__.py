"""（六）建筑行业监管: projects and sites, enterprises and licences, lifting equipment,
inspections and enforcement, campaigns, smart sites, fire acceptance, prefab, tenders."""
