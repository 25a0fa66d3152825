"""干部队伍结构分析: team-structure figures of the city, a unit or a leadership team on a
date (:mod:`kaohe.stats.queries`), shown as SVG charts, Excel, PDF and JSON, and the
花名册 (roster) of any officials search (:mod:`kaohe.stats.roster`)."""
