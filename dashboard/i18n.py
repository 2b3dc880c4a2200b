"""The one translation function: every user-visible text goes through `t(key, lang)`."""

from __future__ import annotations

from typing import Any

LANGUAGES: tuple[str, ...] = ("en", "zh")
DEFAULT_LANGUAGE = "en"

# key -> (English, Simplified Chinese). Placeholders use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    # Shell
    "app.title": ("Trial monitoring", "试验监查"),
    "app.trial": (
        "RFA/PVA ± SBRT for painful spinal metastases",
        "RFA/PVA ± SBRT 治疗疼痛性脊柱转移瘤",
    ),
    "nav.recruitment": ("Recruitment", "入组"),
    "nav.randomization": ("Randomization", "随机化"),
    "nav.visits": ("Visits", "随访"),
    "nav.pain": ("Pain & function", "疼痛与功能"),
    "nav.local_control": ("Local control", "局部控制"),
    "nav.safety": ("Safety", "安全性"),
    "nav.data_quality": ("Data quality", "数据质量"),
    "filter.centers": ("Centers", "中心"),
    "filter.arms": ("Arms", "组别"),
    "filter.as_of": ("Data as of", "数据截至"),
    "filter.reset": ("Reset filters", "重置筛选"),
    "filter.language": ("Language", "语言"),
    "filter.showing_centers": ("Showing {centers} only", "仅显示 {centers}"),
    "filter.showing_arms": ("{arms} arm only", "仅 {arms} 组"),
    "filter.showing_as_of": ("as of {date}", "截至 {date}"),
    "filter.no_centers": (
        "No center selected: choose at least one.",
        "未选择中心：请至少选择一个。",
    ),
    "stamp.data_as_of": ("Data as of {date}", "数据截至 {date}"),
    "stamp.source": ("source: {source}", "来源：{source}"),
    "error.title": ("The dashboard cannot read the trial database", "无法读取试验数据库"),
    "error.what_to_do": (
        "Nothing was changed. Check the database and reload this page; it recovers by itself "
        "when the database is back.",
        "未做任何更改。请检查数据库后刷新本页；数据库恢复后页面会自动恢复。",
    ),
    "error.not_found": ("No page at {path}.", "不存在页面 {path}。"),
    "error.back_home": ("Go to the recruitment page", "返回入组页面"),
    "error.page_failed": (
        "Drawing this view failed ({reason}). The trial database is fine and the other pages still work.",
        "绘制此视图失败（{reason}）。试验数据库正常，其他页面仍可使用。",
    ),
    "help.label": ("What does this mean?", "这是什么意思？"),
    "grid.search": ("Search", "搜索"),
    "grid.export": ("Export CSV", "导出 CSV"),
    # Arms and centers
    "arm.RFA_PVA": ("RFA/PVA", "RFA/PVA"),
    "arm.RFA_PVA_SBRT": ("RFA/PVA + SBRT", "RFA/PVA + SBRT"),
    "arm.none": ("– (no arm)", "–（无组别）"),
    "center.all": ("All centers", "所有中心"),
    "center.selection": ("Selected centers", "所选中心"),
    # Recruitment page
    "rec.title": ("Recruitment", "入组"),
    "rec.kpi.randomized": ("randomized of {target} planned", "已随机 / 计划 {target}"),
    "rec.kpi.pct": (
        "{pct} of target",
        "完成 {pct}",
    ),
    "rec.kpi.this_month": ("randomized in {month}", "{month} 随机"),
    "rec.kpi.forecast": ("target reached (forecast)", "预计达到目标"),
    "rec.kpi.forecast_interval": (
        "{pct} interval: {low} – {high}",
        "{pct} 区间：{low} – {high}",
    ),
    "rec.kpi.forecast_none": (
        "no forecast: not enough accrual yet",
        "暂无预测：入组数据不足",
    ),
    "rec.kpi.reached": ("target reached", "已达到目标"),
    "rec.kpi.screened": (
        "screened",
        "已筛选",
    ),
    "rec.kpi.vs_plan": (
        "vs plan by now ({planned} planned)",
        "与当前计划相比（计划 {planned}）",
    ),
    "rec.fig.by_center": ("Randomized vs target by center", "各中心随机例数与目标"),
    "rec.fig.by_center_sub": (
        "share of each target randomized, by arm · ◆ planned by now",
        "各目标已随机比例（按组） · ◆ 当前计划",
    ),
    "rec.fig.cumulative": (
        "Cumulative randomized vs plan, with forecast",
        "累计随机例数与计划及预测",
    ),
    "rec.fig.cumulative_center": (
        "Cumulative randomized per center vs plan",
        "各中心累计随机例数与计划",
    ),
    "rec.fig.monthly": ("Randomized per month by center", "各中心每月随机例数"),
    "rec.fig.failures": ("Screen failures by reason", "筛选失败原因"),
    "rec.axis.date": ("Date", "日期"),
    "rec.axis.month": ("Month", "月份"),
    "rec.axis.randomized": ("Subjects randomized", "随机例数"),
    "rec.axis.cumulative": ("Randomized (cumulative)", "累计随机例数"),
    "rec.axis.subjects": ("Subjects", "例数"),
    "rec.legend.observed": ("Randomized", "已随机"),
    "rec.legend.plan": ("Plan", "计划"),
    "rec.legend.target": ("Target", "目标"),
    "rec.legend.planned_now": ("Planned by now", "当前计划"),
    "rec.legend.forecast": ("Forecast (median)", "预测（中位数）"),
    "rec.legend.forecast_band": (
        "Forecast {pct} interval",
        "预测 {pct} 区间",
    ),
    "rec.subtitle": (
        "{scope} · {randomized} · data as of {date}",
        "{scope} · {randomized} · 数据截至 {date}",
    ),
    "rec.subtitle_screened": (
        "{scope} · {n} screen failures of {screened} screened · data as of {date}",
        "{scope} · 筛选 {screened} 例中失败 {n} 例 · 数据截至 {date}",
    ),
    "rec.model": (
        "Forecast model: each center recruits as a Poisson process whose rate is estimated from its own accrual so far, with the planned rate as a gamma prior worth {weight} of the target (Gajewski et al. 2008); the trial total adds the centers' counts exactly (a sum of negative binomial distributions); bands are {pct} predictive intervals.",
        "预测模型：每个中心的入组视为泊松过程，速率由该中心至今的入组估计，并以计划速率作为伽马先验（权重为目标的 {weight}，Gajewski 等 2008）；总体预测为各中心入组数之和（负二项分布之和，精确计算）；阴影为 {pct} 预测区间。",
    ),
    "rec.table.title": ("Centers against plan", "各中心与计划对比"),
    "rec.col.center": ("Center", "中心"),
    "rec.col.randomized": ("Randomized / target", "已随机 / 目标"),
    "rec.col.screened": ("Screened (failed)", "筛选（失败）"),
    "rec.col.planned": ("Plan by now (diff.)", "当前计划（差）"),
    "rec.col.status": ("Status", "状态"),
    "rec.col.forecast": ("Target reached, forecast", "预计达到目标"),
    "rec.table.interval": (
        "Forecast: median month, below it the {pct} predictive interval.",
        "预测：中位月份，其下为 {pct} 预测区间。",
    ),
    "rec.status.on_track": ("✓ on track", "✓ 按计划"),
    "rec.status.behind": ("▼ behind", "▼ 落后"),
    "rec.status.not_started": ("– not started", "– 未开始"),
    "rec.status.reached": ("✓ target reached", "✓ 已达目标"),
    "rec.empty.randomized": (
        "No subject randomized yet in this selection.",
        "当前筛选下尚无随机受试者。",
    ),
    "rec.empty.failures": ("No screen failures in this selection.", "当前筛选下无筛选失败。"),
    "rec.note.arm_filter": (
        "Recruitment counts every arm (people are screened before allocation); the arm filter applies to the other pages.",
        "入组页统计所有组别（筛选发生在分组之前）；组别筛选仅作用于其他页面。",
    ),
    # Visits page
    "vis.title": ("Visits", "随访"),
    "vis.kpi.compliance": (
        "visit compliance ({done} done of {expected} expected)",
        "随访依从率（应访 {expected} 次，完成 {done} 次）",
    ),
    "vis.kpi.by_arm": ("{arm}: {pct}", "{arm}：{pct}"),
    "vis.kpi.due": (
        "visits due now",
        "当前应访",
    ),
    "vis.kpi.missed": ("visits missed", "缺失随访"),
    "vis.kpi.not_expected": (
        "visits not expected (subject left the study)",
        "无需随访（受试者已退出）",
    ),
    "vis.kpi.flags": (
        "subjects without a day-0 date",
        "缺少第 0 天日期的受试者",
    ),
    "vis.fig.heatmap": ("Visit compliance by center and visit", "各中心各访视的依从率"),
    "vis.fig.missed": ("Missed visits by month the window closed", "按窗口关闭月份统计的缺失随访"),
    "vis.fig.swimmer": ("Follow-up of each subject", "每位受试者的随访"),
    "vis.subtitle": (
        "{scope} · {subjects} randomized · data as of {date}",
        "{scope} · {subjects}已随机 · 数据截至 {date}",
    ),
    "vis.subtitle_heatmap": (
        "{scope} · cell: done / (done + missed); grey: fewer than 5 expected · data as of {date}",
        "{scope} · 单元格：完成 /（完成 + 缺失）；灰色：应访少于 5 次 · 数据截至 {date}",
    ),
    "vis.axis.compliance": ("Compliance", "依从率"),
    "vis.axis.month_closed": ("Month the visit window closed", "访视窗口关闭月份"),
    "vis.axis.missed": ("Missed visits", "缺失随访数"),
    "vis.axis.day": ("day", "第"),
    "vis.axis.days_since": (
        "Days since day 0",
        "距第 0 天的天数",
    ),
    "vis.legend.follow_up": ("Follow-up", "随访期"),
    "vis.legend.sbrt": ("SBRT course", "SBRT 疗程"),
    "vis.legend.off_study": ("Left the study (✚ died, ▶ other)", "退出研究（✚ 死亡，▶ 其他）"),
    "vis.state.done": ("done", "已完成"),
    "vis.state.done_early": ("done early", "提前完成"),
    "vis.state.done_late": ("done late", "延迟完成"),
    "vis.state.missed": ("missed", "缺失"),
    "vis.state.due": ("due", "应访"),
    "vis.state.upcoming": ("upcoming", "未到期"),
    "vis.state.not_expected": ("not expected", "无需随访"),
    "vis.state.no_day_zero": (
        "no day-0 date",
        "无第 0 天日期",
    ),
    "vis.worklist.title": ("Worklist: visits due now and missed", "工作清单：当前应访与缺失随访"),
    "vis.worklist.help": (
        "{rows} to act on: due visits first (most overdue first), then missed visits (most recent first), then subjects whose visits cannot be scheduled. Sort, filter and export as you need.",
        "需处理 {rows}：先列应访（逾期最久者在前），再列缺失随访（最近者在前），最后列无法排期的受试者。可排序、筛选和导出。",
    ),
    "vis.worklist.search": ("Search the worklist", "搜索工作清单"),
    "vis.worklist.empty": (
        "Nothing due or missed in this selection.",
        "当前筛选下无应访或缺失随访。",
    ),
    "vis.col.subject": ("Subject", "受试者"),
    "vis.col.center": ("Center", "中心"),
    "vis.col.arm": ("Arm", "组别"),
    "vis.col.visit": ("Visit", "访视"),
    "vis.col.opens": ("Window opens", "窗口开始"),
    "vis.col.target": ("Target day", "目标日"),
    "vis.col.closes": ("Window closes", "窗口结束"),
    "vis.col.state": ("State", "状态"),
    "vis.col.overdue": ("Days past target", "超过目标日天数"),
    "vis.empty.schedule": (
        "No randomized subject in this selection yet.",
        "当前筛选下尚无随机受试者。",
    ),
    "vis.empty.missed": ("No missed visit in this selection.", "当前筛选下无缺失随访。"),
    "def.compliance": (
        "Compliance = done / (done + missed). Done counts visits done early or late too. "
        "Missed: no assessment, the subject was on study when the window opened, and the window "
        "has closed (or the subject left during it). Visits of subjects who left the study "
        "before the window opened are not expected and leave the denominator.",
        "依从率 = 完成 /（完成 + 缺失），提前或延迟完成也计为完成。缺失：无评估记录，窗口开始时受试者仍在研究中，"
        "且窗口已关闭（或受试者在窗口内退出）。窗口开始前已退出者的访视为无需随访，不计入分母。",
    ),
    "def.due": (
        "Due: the visit window is open on the data date and no assessment is recorded yet. Windows come from the protocol file ({windows}; days around the target day after day 0).",
        "应访：数据截至日访视窗口已开放且尚无评估记录。窗口来自方案文件（{windows}；第 0 天后目标日前后天数）。",
    ),
    "def.not_expected": (
        "The subject died, withdrew or was lost before the window opened: the visit is not "
        "counted as missed.",
        "受试者在窗口开始前死亡、退出或失访：该访视不计为缺失。",
    ),
    "def.no_day_zero": (
        "Randomized subjects without a day-0 date ({day0}): none of their visits can be scheduled. Fix the date in the EDC.",
        "缺少第 0 天日期（{day0}）的随机受试者：其所有访视均无法排期。请在 EDC 中补充日期。",
    ),
    # Data codes shown as labels (label(prefix, code)); unknown codes show as recorded.
    "reason.baseline pain NRS < 4": ("baseline pain NRS < 4", "基线疼痛 NRS < 4"),
    "reason.lesion outside T5-L5": ("lesion outside T5–L5", "病灶不在 T5–L5"),
    "reason.more than 2 vertebrae to treat": (
        "more than 2 vertebrae to treat",
        "需治疗椎体超过 2 个",
    ),
    "reason.no spinal imaging within 6 weeks": (
        "no spinal imaging within 6 weeks",
        "6 周内无脊柱影像",
    ),
    "reason.declined consent": ("declined consent", "拒绝知情同意"),
    "reason.poor general condition": ("poor general condition", "一般情况差"),
    "reason.eligible, not randomized": ("eligible, not (yet) randomized", "符合条件但尚未随机"),
    "reason.not recorded": ("reason not recorded", "未记录原因"),
    "off.died": ("died", "死亡"),
    "off.withdrew": ("withdrew", "退出"),
    "off.lost_to_follow_up": ("lost to follow-up", "失访"),
    "off.other": ("other", "其他"),
    "off.completed": ("completed", "完成"),
    "sex.F": ("female", "女"),
    "sex.M": ("male", "男"),
    "tumor.lung": ("lung", "肺"),
    "tumor.breast": ("breast", "乳腺"),
    "tumor.prostate": ("prostate", "前列腺"),
    "tumor.kidney": ("kidney", "肾"),
    "tumor.liver": ("liver", "肝"),
    "tumor.thyroid": ("thyroid", "甲状腺"),
    "tumor.other": ("other", "其他"),
    "band.none": ("none (0)", "无痛 (0)"),
    "band.mild": ("mild (1–3)", "轻度 (1–3)"),
    "band.moderate": ("moderate (4–6)", "中度 (4–6)"),
    "band.severe": ("severe (7–10)", "重度 (7–10)"),
    "band.out_of_range": ("out of range", "超出范围"),
    "region.thoracic": ("thoracic", "胸椎"),
    "region.lumbar": ("lumbar", "腰椎"),
    "region.thoracolumbar": ("thoracic and lumbar", "胸腰椎"),
    "region.other": ("other levels", "其他节段"),
    "stat.mean_sd": ("mean (SD)", "均数（标准差）"),
    "stat.median_iqr": ("median [IQR]", "中位数 [四分位距]"),
    "stat.missing": ("missing", "缺失"),
    # Randomization page
    "rnd.title": ("Randomization", "随机化"),
    "rnd.kpi.randomized": (
        "randomized per arm (as randomized)",
        "各组随机例数（按随机分组）",
    ),
    "rnd.kpi.balance_ok": (
        "every center within what the blocks allow",
        "各中心均在区组允许范围内",
    ),
    "rnd.kpi.largest_diff": ("largest center difference", "中心最大组间差"),
    "rnd.kpi.sbrt_started": (
        "of the {arm} arm started SBRT ({started}/{n}; {completed} completed)",
        "{arm} 组已开始 SBRT（{started}/{n}；完成 {completed}）",
    ),
    "rnd.kpi.departures": ("treatment departures to check", "需核查的治疗偏离"),
    "rnd.fig.balance": ("Randomized per arm by center", "各中心各组随机例数"),
    "rnd.fig.cumulative": ("Cumulative randomized per arm", "各组累计随机例数"),
    "rnd.fig.consort": ("CONSORT flow", "CONSORT 流程图"),
    "rnd.fig.schemes": (
        "SBRT schemes used by center ({arm} arm)",
        "各中心 SBRT 方案（{arm} 组）",
    ),
    "rnd.fig.start_days": (
        "Days from day 0 to SBRT start ({arm} arm)",
        "第 0 天至 SBRT 开始天数（{arm} 组）",
    ),
    "rnd.diff": ("diff.", "差"),
    "rnd.axis.randomized": ("Subjects randomized", "随机例数"),
    "rnd.axis.subjects_sbrt": ("Subjects", "例数"),
    "rnd.axis.days_to_sbrt": (
        "Days from day 0 to SBRT start",
        "第 0 天至 SBRT 开始天数",
    ),
    "rnd.planned_day": ("planned ~day {day}", "计划约第 {day} 天"),
    "rnd.late_day": ("late > day {day}", "延迟 > 第 {day} 天"),
    "rnd.scheme.other": ("other (not allowed)", "其他（不允许）"),
    "rnd.subtitle": (
        "{scope} · {randomized} · data as of {date}",
        "{scope} · {randomized} · 数据截至 {date}",
    ),
    "rnd.subtitle_sbrt": (
        "{scope} · {subjects} of the {arm} arm started SBRT · data as of {date}",
        "{scope} · {arm} 组 {subjects} 已开始 SBRT · 数据截至 {date}",
    ),
    "rnd.consort.assessed": ("Assessed for eligibility (n = {n})", "评估合格性（n = {n}）"),
    "rnd.consort.excluded": ("Not randomized (n = {n})", "未随机（n = {n}）"),
    "rnd.consort.randomized": ("Randomized (n = {n})", "随机（n = {n}）"),
    "rnd.consort.allocated": ("Allocated to {arm} (n = {n})", "分配至 {arm}（n = {n}）"),
    "rnd.consort.received_sbrt": ("Started SBRT: {n}", "已开始 SBRT：{n}"),
    "rnd.consort.received_none": ("No SBRT, as allocated: {n}", "按分配未行 SBRT：{n}"),
    "rnd.consort.not_received": ("Did not receive allocated treatment: {n}", "未接受分配治疗：{n}"),
    "rnd.consort.pending": (
        "SBRT not yet due (≤ {days} days since day 0): {n}",
        "SBRT 尚未到期（距第 0 天 ≤ {days} 天）：{n}",
    ),
    "rnd.consort.left": ("Left the study (n = {n})", "退出研究（n = {n}）"),
    "rnd.consort.none": ("none", "无"),
    "rnd.consort.followed": ("Follow-up assessments", "随访评估"),
    "rnd.table.title": ("Balance by center", "各中心组间平衡"),
    "rnd.col.center": ("Center", "中心"),
    "rnd.col.difference": (
        "Difference",
        "差值",
    ),
    "rnd.col.bound": (
        "Blocks allow",
        "区组允许",
    ),
    "rnd.col.p": (
        "p",
        "p",
    ),
    "rnd.col.flag": ("Check", "核查"),
    "rnd.flag.blocks": ("⚠ beyond blocks", "⚠ 超出区组"),
    "rnd.flag.ok": ("✓", "✓"),
    "rnd.t1.title": ("Baseline characteristics by arm", "各组基线特征"),
    "rnd.t1.characteristic": ("Characteristic", "特征"),
    "rnd.t1.total": ("Total", "合计"),
    "rnd.t1.n": ("n = {n}", "n = {n}"),
    "rnd.t1.age": ("Age, years", "年龄（岁）"),
    "rnd.t1.sex": ("Sex", "性别"),
    "rnd.t1.primary_tumor": ("Primary tumor", "原发肿瘤"),
    "rnd.t1.baseline_nrs": ("Baseline pain NRS (0–10)", "基线疼痛 NRS（0–10）"),
    "rnd.t1.nrs_band": ("Baseline pain severity", "基线疼痛程度"),
    "rnd.t1.baseline_pafi": ("Baseline PAFI (0–10)", "基线 PAFI（0–10）"),
    "rnd.t1.baseline_omed": ("Baseline OMED, mg/day", "基线口服吗啡当量（mg/天）"),
    "rnd.t1.levels_n": ("Treated vertebral levels", "治疗椎体数"),
    "rnd.t1.region": ("Level region", "节段区域"),
    "rnd.t1.imaging_days": ("Days from imaging to enrollment", "影像至入组天数"),
    "rnd.delivery.title": (
        "Treatment departures",
        "治疗偏离",
    ),
    "rnd.problem.sbrt_in_other_arm": (
        "SBRT given outside the {arm} arm ({other})",
        "{arm} 组以外（{other}）接受了 SBRT",
    ),
    "rnd.problem.scheme_not_allowed": (
        "SBRT scheme not allowed",
        "SBRT 方案不在允许范围",
    ),
    "rnd.problem.late_start": (
        "SBRT started late (more than {late} days after day 0)",
        "SBRT 开始过晚（第 0 天后超过 {late} 天）",
    ),
    "rnd.problem.no_sbrt": (
        "no SBRT more than {missing} days after day 0",
        "第 0 天后超过 {missing} 天仍未行 SBRT",
    ),
    "rnd.empty.none": (
        "No subject randomized yet in this selection.",
        "当前筛选下尚无随机受试者。",
    ),
    "rnd.empty.sbrt": ("No SBRT course started in this selection.", "当前筛选下尚无 SBRT 疗程。"),
    "def.balance": (
        "Randomization is {ratio} in permuted blocks of {blocks}, stratified by center (protocol file). Within a center the arm counts, weighted by the ratio (n_a × r_b − n_b × r_a; for 1:1 simply the difference), can then differ by at most {bound} at any time; more means the list was not followed. The test asks how surprising the split is under {ratio}: an exact two-sided binomial test for two arms; for more, a chi-square goodness-of-fit test, or the exact multinomial test when an expected count is below 5 (flag at p < 0.05).",
        "随机按中心分层、以区组大小 {blocks} 的置换区组按 {ratio} 进行（方案文件）。因此任一时刻同一中心内按比例加权的组间差（n_a × r_b − n_b × r_a；1:1 时即例数之差）最多为 {bound}；超过即说明未按随机表执行。检验评估该分配在 {ratio} 下的意外程度：两组用精确双侧二项检验；多组用卡方拟合优度检验，若某组期望数小于 5 则用精确多项检验（p < 0.05 标记）。",
    ),
    "def.received": (
        "Received the allocated treatment: SBRT started (the {sbrt_arm} arm) or no SBRT (the other arms). SBRT is planned about {planned_day} days after day 0; a subject of the {sbrt_arm} arm without SBRT more than {missing_days} days after day 0 did not receive it (and counts in the arm without SBRT for safety, as treated).",
        "接受分配治疗：{sbrt_arm} 组已开始 SBRT，或其他组未行 SBRT。SBRT 计划于第 0 天后约 {planned_day} 天开始；{sbrt_arm} 组第 0 天后超过 {missing_days} 天仍未行 SBRT 视为未接受（安全性按实际治疗计入未行 SBRT 的组）。",
    ),
    # Pain & function page
    "pain.title": ("Pain & function", "疼痛与功能"),
    "pain.kpi.responders": (
        "pain responders at {visit}: {a} · {b}",
        "{visit} 疼痛缓解率：{a} · {b}",
    ),
    "pain.kpi.responders_one": (
        "n = {n_base} → {n_visit}{small} · responders at {visit}: {rate}",
        "n = {n_base} → {n_visit}{small} · {visit} 缓解率：{rate}",
    ),
    "pain.kpi.small": (" (small n)", "（样本量小）"),
    "pain.kpi.mean_nrs": ("mean NRS, baseline → {visit}, {arm}", "{arm} 平均 NRS：基线 → {visit}"),
    "pain.kpi.nrs_only": (
        "responses judged on NRS alone (OMED missing)",
        "仅按 NRS 判定的疗效（缺 OMED）",
    ),
    "pain.kpi.excluded": (
        "values outside 0–10 left out (see data quality)",
        "超出 0–10 的值已剔除（见数据质量）",
    ),
    "pain.n_table.title": (
        "Subjects behind each mean (NRS); * small n, no interval",
        "各均值对应的受试者数（NRS）；* 样本量小，不给区间",
    ),
    "pain.n_table.arm": ("Arm", "组别"),
    "pain.response_note": (
        "Pain response by the International Consensus (Chow 2012): complete = NRS 0 without more "
        "opioid; partial = NRS down ≥ 2 without more opioid, or opioid down ≥ 25% without more pain.",
        "疼痛疗效按国际共识（Chow 2012）：完全缓解 = NRS 为 0 且阿片类未增加；部分缓解 = NRS 下降 ≥ 2 且阿片类未增加，"
        "或阿片类减少 ≥ 25% 且疼痛未加重。",
    ),
    "out.subtitle": (
        "{scope} · {randomized} · data as of {date}",
        "{scope} · {randomized} · 数据截至 {date}",
    ),
    "out.empty": ("No follow-up assessment yet in this selection.", "当前筛选下尚无随访评估。"),
    "out.empty_change": (
        "Too few subjects per arm to compare (at least 2 each).",
        "每组受试者过少，无法比较（每组至少 2 例）。",
    ),
    "out.fig.nrs": (
        "Mean pain (NRS) by arm",
        "各组平均疼痛（NRS）",
    ),
    "out.fig.nrs_box": ("Distribution of pain (NRS) by visit and arm", "各访视各组疼痛（NRS）分布"),
    "out.fig.omed": (
        "Median daily opioid dose (OMED) by arm",
        "各组每日阿片剂量（OMED）中位数",
    ),
    "out.fig.pafi": (
        "Mean PAFI by arm (higher is better)",
        "各组平均 PAFI（越高越好）",
    ),
    "out.fig.pafi_box": ("Distribution of PAFI by visit and arm", "各访视各组 PAFI 分布"),
    "out.fig.bands": ("Pain severity bands by visit", "各访视疼痛程度分级"),
    "out.fig.responders": (
        "Pain responders (complete + partial) with exact 95% CI",
        "疼痛缓解率（完全 + 部分）及精确 95% CI",
    ),
    "out.fig.categories": ("Pain response categories by visit", "各访视疼痛疗效分类"),
    "out.fig.change": (
        "Difference between arms in NRS change from baseline",
        "各组 NRS 较基线变化之差",
    ),
    "out.fig.change_sub": (
        "each arm minus {ref}, Welch 95% CI · below 0 favours that arm",
        "各组减 {ref}，Welch 95% CI · 小于 0 有利于该组",
    ),
    "out.axis.weeks": (
        "Weeks since day 0",
        "距第 0 天周数",
    ),
    "out.axis.nrs": ("Pain NRS (0–10)", "疼痛 NRS（0–10）"),
    "out.axis.omed": ("OMED, mg/day", "OMED（mg/天）"),
    "out.axis.pafi": ("PAFI (0–10)", "PAFI（0–10）"),
    "out.axis.visit": ("Visit", "访视"),
    "out.axis.share": ("Share of subjects", "受试者比例"),
    "out.axis.responders": ("Responders", "缓解率"),
    "out.axis.subjects": ("Subjects", "例数"),
    "out.axis.difference": ("Difference, NRS points", "差值（NRS 分）"),
    "out.baseline": ("Baseline", "基线"),
    "out.baseline_short": ("Base", "基线"),
    "out.legend.individual": ("{arm}: individual subjects (sample)", "{arm}：个体轨迹（抽样）"),
    "out.nrs_only_hover": ("NRS only:", "仅 NRS："),
    "out.ni_margin": (
        "non-inferiority margin {m}",
        "非劣效界值 {m}",
    ),
    "out.resp.complete": ("complete", "完全缓解"),
    "out.resp.partial": ("partial", "部分缓解"),
    "out.resp.indeterminate": ("indeterminate", "不确定"),
    "out.resp.progression": ("progression", "进展"),
    # Local control page
    "lc.title": ("Local control", "局部控制"),
    "lc.kpi.dcr": ("DCR at {visit}, {arm}", "{arm} {visit} 疾病控制率"),
    "lc.kpi.dcr_context": (
        "{k}/{n} evaluable · 95% CI {lo:.0%}–{hi:.0%}",
        "{k}/{n} 可评估 · 95% CI {lo:.0%}–{hi:.0%}",
    ),
    "lc.kpi.pd": ("local progressions / subjects imaged, {arm}", "{arm} 局部进展 / 已影像评估例数"),
    "lc.kpi.median": (
        "median time to progression: {days}",
        "中位进展时间：{days}",
    ),
    "lc.kpi.median_none": ("median not reached", "中位时间未达到"),
    "lc.fig.mda": ("MD Anderson response by imaging visit", "各影像访视 MD Anderson 疗效"),
    "lc.fig.dcr": ("Disease control rate by arm, exact 95% CI", "各组疾病控制率及精确 95% CI"),
    "lc.fig.km": ("Freedom from local progression (Kaplan–Meier)", "无局部进展（Kaplan–Meier）"),
    "lc.subtitle_km": (
        "{scope} · {subjects} with an evaluable image · data as of {date}",
        "{scope} · {subjects}有可评估影像 · 数据截至 {date}",
    ),
    "lc.axis.dcr": ("Disease control rate", "疾病控制率"),
    "lc.axis.free": ("Free from local progression", "无局部进展"),
    "lc.axis.at_risk": ("At risk", "风险人数"),
    "lc.axis.months": (
        "Months since day 0",
        "距第 0 天月数",
    ),
    "lc.mda.CR": ("CR", "CR"),
    "lc.mda.PR": ("PR", "PR"),
    "lc.mda.SD": ("SD", "SD"),
    "lc.mda.PD": ("PD", "PD"),
    "lc.mda.NE": ("NE (not evaluable)", "NE（不可评估）"),
    "lc.mda.other": ("unknown code", "未知代码"),
    "lc.table.title": ("DCR by visit and arm", "各访视各组疾病控制率"),
    "lc.col.arm": ("Arm", "组别"),
    "lc.col.evaluable": ("Evaluable", "可评估"),
    "lc.col.ne": ("NE", "NE"),
    "lc.col.dcr": ("DCR (95% CI)", "DCR（95% CI）"),
    "lc.empty": ("No follow-up imaging yet in this selection.", "当前筛选下尚无随访影像。"),
    "lc.km_note": (
        "Time from day 0 to the first image read as PD; subjects without PD are censored at their last evaluable image, deaths included (a competing risk this curve does not model).",
        "自第 0 天至首次影像判定 PD 的时间；无 PD 者在最后一次可评估影像时删失，死亡亦然（本曲线未处理竞争风险）。",
    ),
    "def.pain_response": (
        "International Consensus (Chow et al. 2012), against baseline NRS and OMED: complete = NRS 0 "
        "with no OMED increase; partial = NRS down ≥ 2 with no OMED increase, or OMED down ≥ 25% with "
        "no NRS increase; progression = NRS up ≥ 2 with stable OMED, or OMED up ≥ 25% with NRS stable "
        "or 1 above; otherwise indeterminate. Responders = complete + partial; CI Clopper–Pearson. "
        "Without OMED the response uses NRS alone and is counted as such.",
        "国际共识（Chow 等 2012），相对于基线 NRS 与 OMED：完全缓解 = NRS 为 0 且 OMED 未增加；部分缓解 = NRS 下降 ≥ 2 "
        "且 OMED 未增加，或 OMED 减少 ≥ 25% 且 NRS 未增加；进展 = NRS 上升 ≥ 2 且 OMED 稳定，或 OMED 增加 ≥ 25% 且 NRS "
        "稳定或仅高 1 分；其余为不确定。缓解 = 完全 + 部分；CI 为 Clopper–Pearson。缺 OMED 时仅按 NRS 判定并单独计数。",
    ),
    "def.nrs": (
        "Numerical rating of pain, 0 (none) to 10 (worst imaginable), assessed 20 minutes before the day's pain medication. Bands: 0 none, 1–3 mild, 4–6 moderate, 7–10 severe. Means with a 95% bootstrap percentile interval (2,000 resamples of the observed scores, fixed seed), which stays within 0–10; below 5 subjects no interval is shown (small n). Values outside 0–10 are left out.",
        "疼痛数字评分，0（无痛）至 10（最剧烈），于当日服用止痛药前 20 分钟评估。分级：0 无痛，1–3 轻度，4–6 中度，7–10 重度。均值附 95% 自助法百分位区间（对观测评分重抽样 2000 次，固定随机种子），区间不超出 0–10；少于 5 例时不给区间（样本量小）。超出 0–10 的值已剔除。",
    ),
    "def.nrs_only": (
        "Responses where baseline or visit OMED is missing are judged on NRS alone (complete NRS 0, "
        "partial down ≥ 2, progression up ≥ 2).",
        "基线或访视 OMED 缺失时仅按 NRS 判定（完全缓解 NRS 为 0，部分缓解下降 ≥ 2，进展上升 ≥ 2）。",
    ),
    "def.excluded_values": (
        "NRS or PAFI values outside 0–10 are data errors: they are left out of every statistic here and "
        "listed on the data-quality page.",
        "超出 0–10 的 NRS 或 PAFI 值属于数据错误：此处所有统计均已剔除，并在数据质量页列出。",
    ),
    "def.dcr": (
        "Disease control rate = (CR + PR + SD) / evaluable, by the MD Anderson bone response criteria; not evaluable (NE) reads are excluded. Exact (Clopper–Pearson) 95% interval, always within 0–100%; below 5 evaluable no interval is shown (small n).",
        "疾病控制率 =（CR + PR + SD）/ 可评估例数，按 MD Anderson 骨转移疗效标准；不可评估（NE）除外。精确（Clopper–Pearson）95% 区间，总在 0–100% 之内；可评估少于 5 例时不给区间（样本量小）。",
    ),
    "def.ttp": (
        "Kaplan–Meier estimate of the time from day 0 to the first image read as PD; subjects without PD are censored at their last evaluable image (ticks). Shaded: 95% interval, log(−log) transformed (Greenwood), as most software reports it. Numbers at risk below, in the arm colours.",
        "自第 0 天至首次影像判定 PD 的时间的 Kaplan–Meier 估计；无 PD 者在最后一次可评估影像时删失（刻度线）。阴影：95% 区间，经 log(−log) 变换（Greenwood），与多数软件一致。下方为各组风险人数（按组配色）。",
    ),
    # Safety page
    "saf.title": ("Safety", "安全性"),
    "saf.kpi.any_ae": ("subjects with any adverse event", "发生任何不良事件的受试者"),
    "saf.kpi.grade3plus": ("subjects with a grade ≥ 3 event", "发生 ≥ 3 级事件的受试者"),
    "saf.kpi.serious": ("subjects with a serious event (SAE)", "发生严重不良事件（SAE）的受试者"),
    "saf.kpi.fatal": ("subjects with an AE leading to death", "发生致死性不良事件的受试者"),
    "saf.metric.any_ae": ("Any AE", "任何 AE"),
    "saf.metric.grade3plus": ("Grade ≥ 3", "≥ 3 级"),
    "saf.metric.serious": ("Serious (SAE)", "严重（SAE）"),
    "saf.metric.fatal": ("Leading to death", "致死"),
    "saf.fig.overview": ("Subjects with adverse events by arm", "各组发生不良事件的受试者"),
    "saf.fig.interest": (
        "Events to watch in this population, by arm",
        "本人群重点关注事件（按组）",
    ),
    "saf.fig.centers": (
        "AE and SAE rates by center beside the pooled rate",
        "各中心与合并的 AE 和 SAE 发生率",
    ),
    "saf.fig.lag": (
        "Reporting lag: days from onset to report, by center",
        "报告延迟：各中心自发生至报告的天数",
    ),
    "saf.fig.onset": ("Time to onset of events to watch", "重点关注事件的发生时间"),
    "saf.fig.timeline": ("Adverse events of {subject}", "{subject} 的不良事件"),
    "saf.timeline_sub": (
        "bars from onset to resolution (to the data date if ongoing), coloured by CTCAE grade; ★ serious",
        "条形自发生至缓解（未缓解则至数据截至日），按 CTCAE 级别着色；★ 严重",
    ),
    "saf.subtitle": (
        "{scope} · {subjects} ({population}) · {events} · data as of {date}",
        "{scope} · {subjects}（{population}）· {events} · 数据截至 {date}",
    ),
    "saf.axis.share": ("Share of subjects in the safety population", "占安全性人群受试者比例"),
    "saf.axis.lag": ("Days from onset to report", "自发生至报告天数"),
    "saf.axis.onset": (
        "Days from day 0 to onset",
        "自第 0 天至发生天数",
    ),
    "saf.axis.days": (
        "Days since day 0",
        "距第 0 天天数",
    ),
    "saf.procedure": (
        "day 0",
        "第 0 天",
    ),
    "saf.last_report": (
        "last report {days}",
        "最近报告：{days}",
    ),
    "saf.never_reported": ("nothing reported", "无任何报告"),
    "saf.listing.title": ("Adverse event listing", "不良事件清单"),
    "saf.listing.help": (
        "{events} known by the data date. SAEs are shaded, events leading to death darker. Click a subject to see their timeline. Sorting, filters, the search and the CSV export work on every event, not only the page shown.",
        "截至数据日已知 {events}。严重事件以底色标出，导致死亡的事件颜色更深。点击受试者可查看其时间线。排序、筛选、搜索与 CSV 导出均作用于全部事件，而非仅当前页。",
    ),
    "saf.toggle.serious": ("Serious only", "仅严重事件"),
    "saf.toggle.grade3": ("Grade ≥ 3 only", "仅 ≥ 3 级"),
    "saf.timeline.pick": (
        "Click a subject in the listing to see their events on a timeline from day 0 ({day0}).",
        "点击清单中的受试者，查看其事件自第 0 天（{day0}）起的时间线。",
    ),
    "saf.timeline.none": (
        "No events of {subject} in this selection.",
        "当前筛选下 {subject} 无事件。",
    ),
    "saf.incidence.title": (
        "Subjects with each event, by arm and worst grade",
        "各组发生各事件的受试者及最高级别",
    ),
    "saf.empty": ("No adverse event in this selection.", "当前筛选下无不良事件。"),
    "saf.ungradable": (
        '{events} with a grade outside 1–5: listed, counted in "any adverse event", left out of grade counts (see data quality).',
        "{events}的级别超出 1–5：已列出并计入“任何不良事件”，但不计入分级统计（见数据质量）。",
    ),
    "saf.yes": ("yes", "是"),
    "saf.no": ("no", "否"),
    "saf.not_recorded": ("not recorded", "未记录"),
    "saf.col.subject": ("Subject", "受试者"),
    "saf.col.center": ("Center", "中心"),
    "saf.col.arm": ("Arm", "组别"),
    "saf.col.term": ("Term (CTCAE)", "术语（CTCAE）"),
    "saf.col.soc": ("System organ class", "系统器官分类"),
    "saf.col.grade": ("Grade", "级别"),
    "saf.col.serious": ("Serious", "严重"),
    "saf.col.attribution": ("Attribution", "归因"),
    "saf.col.onset": ("Onset", "发生日期"),
    "saf.col.day": ("Day", "术后天数"),
    "saf.col.resolved": ("Resolved", "缓解日期"),
    "saf.col.outcome": ("Outcome", "转归"),
    "saf.col.lag": ("Report lag, days", "报告延迟（天）"),
    "saf.col.any": ("Any grade", "任何级别"),
    "saf.col.g3": ("Grade ≥ 3", "≥ 3 级"),
    "saf.col.worst": ("Worst G1/2/3/4/5", "最高级别 1/2/3/4/5"),
    "center.pooled": ("Pooled", "合并"),
    "attr.procedure": ("procedure", "手术"),
    "attr.sbrt": ("SBRT", "SBRT"),
    "attr.both": ("procedure and SBRT", "手术及 SBRT"),
    "attr.unrelated": ("unrelated", "无关"),
    "attr.unknown": ("unknown", "未知"),
    "outcome.recovered": ("recovered", "痊愈"),
    "outcome.recovering": ("recovering", "恢复中"),
    "outcome.not_recovered": ("not recovered", "未恢复"),
    "outcome.sequelae": ("recovered with sequelae", "痊愈伴后遗症"),
    "outcome.fatal": ("fatal", "死亡"),
    "outcome.unknown": ("unknown", "未知"),
    "def.ae": (
        "Subjects (not events) with at least one adverse event, among the randomized subjects of the arm as treated.",
        "按实际治疗分组的随机受试者中至少发生一次不良事件的受试者数（非事件数）。",
    ),
    "def.grade": (
        "CTCAE v5.0 grade 1–5 (5 = death). Counted at each subject's worst grade. Grade is not seriousness.",
        "CTCAE v5.0 分级 1–5（5 = 死亡）。按每位受试者的最高级别计数。级别不等于严重性。",
    ),
    "def.serious": (
        "Serious (ICH E2A): death, life-threatening, hospitalization or its prolongation, persistent disability, congenital anomaly, or medically important. A separate column from grade.",
        "严重（ICH E2A）：死亡、危及生命、住院或延长住院、持续残疾、先天异常或其他重要医学事件。与级别分列。",
    ),
    "def.fatal": (
        "An AE leading to death: grade 5 or outcome fatal.",
        "致死性不良事件：5 级或转归为死亡。",
    ),
    "def.incidence": (
        "Subject-level incidence: a subject with several events of one term counts once, at the worst grade; grade ≥ 3 counts worst grades 3, 4 and 5; events without a valid grade count in 'any' only. Percentages use the randomized subjects of the arm as treated.",
        "受试者水平发生率：同一术语多次发生的受试者只计一次，按最高级别；≥ 3 级计最高级别为 3、4、5 级者；无有效级别的事件仅计入“任何级别”。百分比以按实际治疗分组的随机受试者为分母。",
    ),
    # Data-quality page
    "dq.check.baseline_nrs_low": (
        "randomized with baseline NRS < {min_nrs}",
        "基线 NRS < {min_nrs} 却已随机",
    ),
    "dq.check.level_outside": (
        "treated level outside {levels}",
        "治疗节段不在 {levels}",
    ),
    "dq.check.too_many_levels": (
        "more than {max_levels} treated levels",
        "治疗节段超过 {max_levels} 个",
    ),
    "dq.check.imaging_too_early": (
        "imaging more than {imaging_days} days before enrollment",
        "影像早于入组超过 {imaging_days} 天",
    ),
    "dq.check.imaging_after_enrollment": ("imaging after enrollment", "影像晚于入组"),
    "dq.check.no_imaging": ("no baseline imaging date", "无基线影像日期"),
    "dq.check.ineligible_randomized": (
        "screened not eligible but randomized",
        "筛选不合格却已随机",
    ),
    "dq.check.nrs_out_of_range": ("NRS outside 0–10", "NRS 超出 0–10"),
    "dq.check.pafi_out_of_range": ("PAFI outside 0–10", "PAFI 超出 0–10"),
    "dq.check.grade_out_of_range": ("CTCAE grade outside 1–5", "CTCAE 级别超出 1–5"),
    "dq.check.age_years_out_of_range": ("age outside 18–100", "年龄超出 18–100"),
    "dq.check.omed_negative": ("negative OMED", "OMED 为负值"),
    "dq.check.unknown_mda": (
        "MDA response code not CR/PR/SD/PD/NE",
        "MDA 疗效代码不是 CR/PR/SD/PD/NE",
    ),
    "dq.check.future_date": ("date after the data date", "日期晚于数据截至日"),
    "dq.check.before_screening": ("date before screening", "日期早于筛选"),
    "dq.check.randomized_without_procedure": (
        "randomized without a procedure date",
        "已随机但无手术日期",
    ),
    "dq.check.randomized_before_procedure": ("randomized before the procedure", "随机早于手术"),
    "dq.check.off_study_before_randomization": (
        "left the study before randomization",
        "随机前已退出研究",
    ),
    "dq.check.visit_after_death": ("visit after death", "死亡后仍有访视"),
    "dq.check.event_after_death": ("adverse event starting after death", "死亡后发生的不良事件"),
    "dq.check.resolved_before_onset": ("AE resolved before its onset", "不良事件缓解早于发生"),
    "dq.check.sbrt_in_other_arm": (
        "SBRT given outside the {sbrt_arm} arm",
        "{sbrt_arm} 组以外接受了 SBRT",
    ),
    "dq.check.scheme_not_allowed": ("SBRT scheme not allowed", "SBRT 方案不在允许范围"),
    "dq.check.late_start": (
        "SBRT started after day {late_day}",
        "SBRT 晚于第 {late_day} 天开始",
    ),
    "dq.check.no_sbrt": (
        "no SBRT more than {missing_days} days after day 0",
        "第 0 天后超过 {missing_days} 天仍未行 SBRT",
    ),
    "dq.check.unknown_center": ("center code not in the protocol", "中心代码不在方案中"),
    "dq.check.unknown_arm": ("arm code not in the protocol", "组别代码不在方案中"),
    "dq.check.unknown_visit": ("visit code not in the schedule", "访视代码不在计划中"),
    "dq.check.orphan_row": ("row for a subject who does not exist", "受试者不存在的记录"),
    "dq.title": ("Data quality", "数据质量"),
    "dq.cat.eligibility": ("Eligibility", "入选资格"),
    "dq.cat.range": ("Values out of range", "数值超出范围"),
    "dq.cat.dates": ("Dates", "日期"),
    "dq.cat.sbrt": (
        "SBRT delivery",
        "SBRT 实施",
    ),
    "dq.cat.structure": ("Codes and links", "代码与关联"),
    "dq.kpi.deviations": ("protocol deviations recorded (major)", "已记录的方案偏离（重大）"),
    "dq.fig.counts": ("Findings by center and category", "各中心各类别的问题"),
    "dq.fig.trend": ("Findings by month of the record", "按记录月份统计的问题"),
    "dq.subtitle": (
        "{scope} · {findings} · data as of {date}",
        "{scope} · {findings} · 数据截至 {date}",
    ),
    "dq.axis.findings": ("Findings", "问题数"),
    "dq.axis.month": ("Month of the record", "记录月份"),
    "dq.findings.title": ("Findings to chase", "待核查问题"),
    "dq.findings.help": (
        "One row per problem: the subject, what is wrong, the table and field, and the value found. Filter by center or check, export, and tick them off at the site.",
        "每行一个问题：受试者、问题、表与字段及所见值。可按中心或核查项筛选、导出，并在中心逐项核对。",
    ),
    "dq.deviations.title": ("Protocol deviations recorded by the sites", "各中心记录的方案偏离"),
    "dq.deviations.empty": (
        "No protocol deviation recorded in this selection.",
        "当前筛选下无记录的方案偏离。",
    ),
    "dq.empty": ("No finding in this selection.", "当前筛选下无问题。"),
    "dq.note.structure": (
        "Code and link checks cover the whole database: select every center to see them.",
        "代码与关联核查针对整个数据库：选择所有中心后可见。",
    ),
    "dq.col.subject": ("Subject", "受试者"),
    "dq.col.center": ("Center", "中心"),
    "dq.col.category": ("Category", "类别"),
    "dq.col.check": ("What is wrong", "问题"),
    "dq.col.table": ("Table", "表"),
    "dq.col.field": ("Field", "字段"),
    "dq.col.value": ("Value found", "所见值"),
    "dq.col.record": ("Record date", "记录日期"),
    "dq.col.date": ("Date", "日期"),
    "dq.col.major": ("Major", "重大"),
    "dq.col.description": ("Description", "描述"),
    "dev.eligibility": ("eligibility", "入选资格"),
    "dev.visit_window": ("visit window", "访视窗口"),
    "dev.sbrt_dose": ("SBRT dose", "SBRT 剂量"),
    "dev.consent": ("consent", "知情同意"),
    "dev.other": ("other", "其他"),
    "def.findings": (
        "Checks from the protocol file: {checks}. Checks a protocol does not define are not run. Findings never block anything.",
        "方案文件规定的核查：{checks}。方案未定义的核查不执行。问题不会阻止任何操作。",
    ),
    "def.dq.eligibility": (
        "Randomized subjects who do not meet an eligibility rule of the protocol file.",
        "不符合方案文件入选规则的随机受试者。",
    ),
    "def.dq.range": (
        "Values outside their scale: {range_checks}.",
        "超出量表范围的值：{range_checks}。",
    ),
    "def.dq.dates": (
        "Dates after the data date, before screening, after death, or in an impossible order.",
        "晚于数据截至日、早于筛选、死亡后或顺序不合理的日期。",
    ),
    "def.dq.sbrt": (
        "SBRT outside the {sbrt_arm} arm, a scheme not allowed, a start later than day {late_day}, or no SBRT more than {missing_days} days after day 0 in the {sbrt_arm} arm.",
        "在 {sbrt_arm} 组以外实施、方案不被允许、晚于第 {late_day} 天开始，或 {sbrt_arm} 组第 0 天后超过 {missing_days} 天仍未实施。",
    ),
    "def.dq.structure": (
        "Codes the protocol does not know (center, arm, visit) and rows whose subject does not exist.",
        "方案中不存在的代码（中心、组别、访视）以及受试者不存在的记录。",
    ),
    "def.deviations": (
        "Deviations the sites recorded themselves (the findings above are what the checks find, recorded or not).",
        "各中心自行记录的偏离（上方问题为核查发现，无论是否记录）。",
    ),
    # Logins, shell actions, presentation mode, meeting pack
    "login.title": ("Sign in · trial monitoring", "登录 · 试验监查"),
    "login.intro": (
        "Sign in with the account the trial office gave you.",
        "请使用试验办公室提供的账号登录。",
    ),
    "login.username": ("User name", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Sign in", "登录"),
    "login.invalid": ("User name or password is wrong.", "用户名或密码错误。"),
    "login.locked": (
        "Too many failed attempts: this account is locked for {minutes} minutes.",
        "失败次数过多：该账号已锁定 {minutes} 分钟。",
    ),
    "login.csrf": ("The form expired. Please sign in again.", "表单已过期，请重新登录。"),
    "role.pi": ("principal investigator", "主要研究者"),
    "role.monitor": ("monitor", "监查员"),
    "role.site": ("site", "中心"),
    "role.committee": ("committee", "委员会"),
    "shell.user": ("{user} ({role})", "{user}（{role}）"),
    "shell.logout": ("Sign out", "退出登录"),
    "shell.present": ("Presentation", "演示模式"),
    "shell.copy_link": ("Copy link", "复制链接"),
    "shell.pack": ("Meeting pack", "会议材料"),
    "pack.title": ("Meeting pack", "会议材料"),
    "pack.generated": ("Made {when}", "生成于 {when}"),
    "pack.filters": (
        "Centers: {centers} · arms: {arms} · data as of {date}",
        "中心：{centers} · 组别：{arms} · 数据截至 {date}",
    ),
    "pack.all_arms": ("both", "全部"),
    "pack.no_data": ("No data for this section yet.", "本部分尚无数据。"),
    "pack.ready": (
        "Meeting pack ready: HTML and PDF downloaded.",
        "会议材料已生成：HTML 与 PDF 已下载。",
    ),
    "pack.pdf_failed": (
        "HTML downloaded; the PDF could not be made on this server.",
        "HTML 已下载；本服务器无法生成 PDF。",
    ),
    "privacy.hidden": (
        "Subject-level listings and identifiers are hidden in presentation mode and for the steering committee.",
        "演示模式及指导委员会视图中不显示受试者清单与编号。",
    ),
    # Definitions behind the "?" buttons (words of PROTOCOL.md)
    "def.randomized": (
        "Enrolled = randomized: a randomization date on or before the data date. Randomization is {ratio} (arms: {arms}).",
        "入组 = 已随机：随机日期不晚于数据截至日。随机比例为 {ratio}（组别：{arms}）。",
    ),
    "def.plan": (
        "The plan assumes linear recruitment from each center's planned first to last "
        "enrollment date (protocol file). On track = at least 90% of the planned number by now.",
        "计划假设各中心从计划首例到末例入组日期线性入组（方案文件）。按计划 = 至少达到当前计划数的 90%。",
    ),
    "def.forecast": (
        "Median date at which the target is reached and its predictive interval, from the "
        "Poisson-gamma accrual model described under the chart.",
        "达到目标的中位日期及预测区间，来自图下所述的泊松-伽马入组模型。",
    ),
    "def.screen_failure": (
        "Screened people found not eligible at screening (eligible = false), by recorded reason.",
        "筛选时判定不符合入选条件者（eligible = false），按记录原因统计。",
    ),
    "def.this_month": (
        "Subjects randomized from the first day of the data date's month up to the data date.",
        "从数据截至日所在月第一天至数据截至日期间随机的受试者。",
    ),
    "rec.kpi.screen_failures": (
        "{share} screen failures",
        "筛选失败 {share}",
    ),
    "rec.subtitle_panels": (
        "the {k} largest of {n} centers (all are in the table; filter the centers to see others) · data as of {date}",
        "{n} 个中心中目标最大的 {k} 个（表中列出全部；筛选中心可查看其他中心） · 数据截至 {date}",
    ),
    "center.pooled_of": (
        "Pooled ({centers})",
        "合并（{centers}）",
    ),
    "scope.outside_rights": (
        "You may not see {asked}: showing {shown}, the centers your account covers.",
        "您无权查看 {asked}：现显示您的账户可查看的中心 {shown}。",
    ),
    "scope.partly_outside_rights": (
        "{asked} is outside your account's centers and is not shown.",
        "{asked} 不在您账户可查看的中心范围内，未显示。",
    ),
    "est.with_ci": (
        "{value} (95% CI {low} to {high})",
        "{value}（95% CI {low} 至 {high}）",
    ),
    "est.small_n": (
        "{value} · small n, no interval",
        "{value} · 样本量小，不给区间",
    ),
    "est.prop_with_ci": (
        "{value} ({k}/{n}; 95% CI {low}–{high})",
        "{value}（{k}/{n}；95% CI {low}–{high}）",
    ),
    "est.prop_small_n": (
        "{value} ({k}/{n}) · small n",
        "{value}（{k}/{n}）· 样本量小",
    ),
    "rec.kpi.open_ended": (
        "more than 20 years",
        "20 年以上",
    ),
    "rnd.kpi.test.binomial_exact": (
        "exact binomial p vs {ratio}, {scope}",
        "与 {ratio} 比较的精确二项检验 p 值（{scope}）",
    ),
    "rnd.kpi.test.multinomial_exact": (
        "exact multinomial p vs {ratio}, {scope}",
        "与 {ratio} 比较的精确多项检验 p 值（{scope}）",
    ),
    "rnd.kpi.test.chi_square": (
        "chi-square p vs {ratio}, {scope}",
        "与 {ratio} 比较的卡方检验 p 值（{scope}）",
    ),
    "rnd.hover.start_day": ("{day}, {subjects}", "{day}，{subjects}"),
    "rnd.consort.received": (
        "Received the allocated treatment: {n}",
        "接受了分配的治疗：{n}",
    ),
    "rnd.consort.with_visit": (
        "with a {visit} assessment: {n}",
        "有{visit}评估：{n}",
    ),
    "rnd.flag.test": (
        "⚠ p < 0.05",
        "⚠ p < 0.05",
    ),
    "rnd.t1.population": (
        "Randomized subjects, by arm as randomized",
        "已随机受试者，按随机分组",
    ),
    "rnd.delivery.where": (
        "Each subject behind these counts is listed on the data-quality page (category: treatment delivery).",
        "各计数对应的受试者列于数据质量页（类别：治疗实施）。",
    ),
    "rnd.note.arm_filter": (
        "Randomization counts every arm (balance is between arms); the arm filter applies to the outcome and safety pages.",
        "随机化页统计所有组别（平衡是组间比较）；组别筛选作用于结局与安全性页面。",
    ),
    "def.received_generic": (
        "Received the allocated treatment: the arm as treated (from the data, e.g. SDTM ACTARMCD) is the arm as randomized.",
        "接受分配治疗：实际治疗组（来自数据，如 SDTM ACTARMCD）与随机分组一致。",
    ),
    "population.as_randomized": (
        "Counts every subject in the arm they were randomized to (as randomized, intention to treat).",
        "按随机分组统计每位受试者（意向治疗）。",
    ),
    "population.as_treated": (
        "Counts every subject in the arm they were treated in (as treated, the safety population).",
        "按实际接受的治疗统计每位受试者（安全性人群，按实际治疗）。",
    ),
    "vis.kpi.due_overdue": (
        "{overdue} past the target day",
        "{overdue} 次已过目标日",
    ),
    "vis.small_n": (
        "{pct} · small n",
        "{pct} · 样本量小",
    ),
    "vis.subtitle_heatmap_top": (
        "the {k} centers of {n} with the lowest compliance (filter the centers to see others) · cell: done / (done + missed) · data as of {date}",
        "{n} 个中心中依从率最低的 {k} 个（筛选中心可查看其他）· 单元格：完成 /（完成 + 缺失）· 数据截至 {date}",
    ),
    "vis.hover.day": (
        "day %{x}",
        "第 %{x} 天",
    ),
    "day0.procedure_on": (
        "the procedure date",
        "手术日期",
    ),
    "day0.randomized_on": (
        "the randomization date",
        "随机日期",
    ),
    "study.not_collected": (
        "This study does not collect {what}: its protocol file lists no visit that does.",
        "本研究不采集{what}：方案文件中没有采集该项的访视。",
    ),
    "measure.nrs": (
        "pain scores (NRS)",
        "疼痛评分（NRS）",
    ),
    "measure.imaging": (
        "imaging responses (MD Anderson)",
        "影像疗效（MD Anderson）",
    ),
    "measure.pafi": (
        "function (PAFI)",
        "功能（PAFI）",
    ),
    "measure.omed": (
        "analgesic use (OMED)",
        "镇痛药用量（OMED）",
    ),
    "out.method.bootstrap": (
        "mean, 95% bootstrap interval (stays within 0–10); hollow: small n, no interval",
        "均值，95% 自助法区间（不超出 0–10）；空心：样本量小，不给区间",
    ),
    "out.method.median": (
        "median, 95% order-statistic interval (never below 0); hollow: small n",
        "中位数，95% 次序统计量区间（不低于 0）；空心：样本量小",
    ),
    "pain.col.arm": (
        "Arm (vs reference)",
        "组别（对照参照组）",
    ),
    "pain.col.n": (
        "n reference / arm",
        "n 参照组 / 本组",
    ),
    "pain.col.difference": (
        "Difference in change (95% CI)",
        "变化之差（95% CI）",
    ),
    "fig.hover.ci": (
        "{visit}: {value} (95% CI {low}–{high}), n = {n}",
        "{visit}：{value}（95% CI {low}–{high}），n = {n}",
    ),
    "fig.hover.small_n": (
        "{visit}: {value}, n = {n} (small n: no interval)",
        "{visit}：{value}，n = {n}（样本量小，不给区间）",
    ),
    "def.omed": (
        "Daily oral morphine equivalent dose (mg/day). Skewed and never negative, so the median is shown, with the distribution-free 95% interval from order statistics (binomial ranks); it is always two observed doses. Below 6 subjects no such interval exists.",
        "每日口服吗啡当量剂量（mg/天）。分布偏态且非负，故显示中位数，并给出基于次序统计量（二项秩）的无分布假设 95% 区间，其端点均为实际观测剂量。少于 6 例时无此区间。",
    ),
    "def.pafi": (
        "Combined Pain and Ambulatory Function Index, 0–10 (10 = normal walking, no pain; higher is better). Means with a 95% bootstrap percentile interval that stays within 0–10; below 5 subjects no interval.",
        "疼痛与行走功能综合指数，0–10（10 = 正常行走、无痛；越高越好）。均值附 95% 自助法百分位区间（不超出 0–10）；少于 5 例时不给区间。",
    ),
    "def.change": (
        "Mean change of NRS from baseline in each arm minus that of the reference arm, with Welch's 95% t interval (unequal variances); a negative difference means more pain relief than the reference. Below 5 subjects in either arm no interval is shown (small n).",
        "各组 NRS 较基线的平均变化减去参照组的平均变化，附 Welch 95% t 区间（方差不等）；差值为负表示比参照组疼痛缓解更多。任一组少于 5 例时不给区间（样本量小）。",
    ),
    "lc.hover.km": (
        "day %{x}: %{y:.0%}",
        "第 %{x} 天：%{y:.0%}",
    ),
    "saf.serious.sae": (
        "SAE",
        "严重",
    ),
    "saf.serious.non_serious": (
        "no",
        "否",
    ),
    "population.short.as_treated": (
        "as treated",
        "按实际治疗",
    ),
    "population.short.as_randomized": (
        "as randomized",
        "按随机分组",
    ),
    "saf.incidence.sub": (
        "each subject counted once per term, at the worst grade; arms {population}; grouped by system organ class",
        "每位受试者每个术语计一次，取最高级别；组别{population}；按系统器官分类分组",
    ),
    "saf.soc_missing": (
        "(system organ class not recorded)",
        "（未记录系统器官分类）",
    ),
    "saf.ungraded": (
        "{n} without a valid grade",
        "{n} 例无有效级别",
    ),
    "saf.empty_interest": (
        "No events to watch are defined in the protocol file.",
        "方案文件未定义重点关注事件。",
    ),
    "saf.hover.lag": ("{days}: {events}", "{days}：{events}"),
    "saf.hover.onset": ("{day}: {events}", "{day}：{events}"),
    "fmt.day_n": (
        "day {n}",
        "第 {n} 天",
    ),
    "dq.col.key": (
        "Key",
        "键",
    ),
    "dq.check.randomized_without_day_zero": (
        "randomized without a day-0 date ({day0})",
        "已随机但无第 0 天日期（{day0}）",
    ),
    "dq.check.randomized_before_day_zero": (
        "randomized before day 0 ({day0})",
        "随机早于第 0 天（{day0}）",
    ),
    "def.interest": (
        "Events to watch in this population, by the term lists of the protocol file; subjects (not events) with such an event, and with one of grade 3 or more.",
        "该人群需重点关注的事件（按方案文件中的术语列表）；发生此类事件的受试者数（非事件数）及其中 ≥ 3 级者。",
    ),
    "def.center_rates": (
        "Each center's share of subjects with any AE and with an SAE, with exact (Clopper–Pearson) 95% intervals, beside the pooled rate of the centers shown. With few centers, funnel plots mean little: the counts and intervals are what to compare.",
        "各中心发生任何不良事件及严重不良事件的受试者比例，附精确（Clopper–Pearson）95% 区间，并与所示中心合并比例对照。中心较少时漏斗图意义不大，应比较计数与区间。",
    ),
    "def.lag": (
        "Days from an event's onset to its report date (the date it entered the database), per center; and days since the center's last report. A center that reports late, or has stopped reporting, is what a monitor must see.",
        "各中心自事件发生至报告日期（录入数据库日期）的天数，以及距该中心最近一次报告的天数。报告迟缓或停止报告的中心是监查员需关注的。",
    ),
    "dq.note.structure_rights": (
        "Codes and links are checked over the whole database, which your account does not cover: ask a monitor or the PI.",
        "代码与关联的核查针对整个数据库，超出您账户的范围：请联系监查员或主要研究者。",
    ),
    "error.page_title": (
        "This page could not be drawn",
        "此页面无法绘制",
    ),
    "error.page_advice": (
        "Try another filter; if it persists, tell the team with the link of this view (Copy link).",
        "请尝试其他筛选条件；若问题持续，请将此视图链接（复制链接）发给团队。",
    ),
    "pack.confidential": (
        "Confidential — for the steering committee",
        "机密 — 仅供指导委员会使用",
    ),
    "pack.page": (
        "Page",
        "页",
    ),
    "pack.subtitle": (
        "{scope} · data as of {date}",
        "{scope} · 数据截至 {date}",
    ),
    "saf.timeline.pick_sbrt": (
        "Click a subject in the listing to see their events on a timeline from day 0 ({day0}), with their SBRT course.",
        "点击清单中的受试者，查看其事件自第 0 天（{day0}）起的时间线及 SBRT 疗程。",
    ),
    "checks.eligibility": (
        "eligibility ({rules})",
        "入选资格（{rules}）",
    ),
    "checks.elig.not_eligible": (
        "randomized although not eligible",
        "不合格仍被随机",
    ),
    "checks.elig.nrs": (
        "baseline NRS ≥ {min_nrs}",
        "基线 NRS ≥ {min_nrs}",
    ),
    "checks.elig.levels": (
        "levels {levels}",
        "节段 {levels}",
    ),
    "checks.elig.max_levels": (
        "at most {max_levels} levels",
        "最多 {max_levels} 个节段",
    ),
    "checks.elig.imaging": (
        "imaging within {imaging_days} days before enrollment",
        "入组前 {imaging_days} 天内影像",
    ),
    "checks.ranges": (
        "ranges ({ranges})",
        "数值范围（{ranges}）",
    ),
    "checks.range.nrs": (
        "NRS 0–10",
        "NRS 0–10",
    ),
    "checks.range.pafi": (
        "PAFI 0–10",
        "PAFI 0–10",
    ),
    "checks.range.omed": (
        "OMED not negative",
        "OMED 非负",
    ),
    "checks.range.imaging": (
        "MD Anderson codes known",
        "MD Anderson 代码可识别",
    ),
    "checks.range.grade": (
        "grade 1–5",
        "级别 1–5",
    ),
    "checks.range.age": (
        "age 18–100",
        "年龄 18–100",
    ),
    "checks.dates": (
        "dates (none after the data date or before screening, none after death, randomized after day 0)",
        "日期（无晚于数据截至日或早于筛选的日期、无死亡后记录、第 0 天后随机）",
    ),
    "checks.sbrt": (
        "SBRT delivery (only in the {sbrt_arm} arm, allowed schemes, start within {late_day} days, given within {missing_days} days)",
        "SBRT 实施（仅限 {sbrt_arm} 组、允许方案、{late_day} 天内开始、{missing_days} 天内实施）",
    ),
    "checks.structure": (
        "codes the protocol does not know and rows without their subject",
        "方案中不存在的代码及无对应受试者的记录",
    ),
    "rec.table.rounding": (
        "Plan by now is rounded per row; the total is the unrounded sum, rounded.",
        "“计划至今”每行取整；合计为未取整之和再取整。",
    ),
    "population.screened": (
        "Counts every screened person by center; randomized subjects in the arm they were randomized to (as randomized).",
        "按中心统计每位筛选者；随机受试者按随机分组统计（按随机分组）。",
    ),
    "population.all_records": (
        "Checks every record of the trial database, by center; findings are not split by arm.",
        "按中心核查试验数据库的每条记录；问题不按组别拆分。",
    ),
    "saf.kpi.grade3plus.severity": (
        "subjects with a severe event",
        "发生重度事件的受试者",
    ),
    "saf.kpi.grade3plus.mixed": (
        "subjects with a grade ≥ 3 or severe event",
        "发生 ≥ 3 级或重度事件的受试者",
    ),
    "saf.metric.grade3plus.severity": (
        "Severe",
        "重度",
    ),
    "saf.metric.grade3plus.mixed": (
        "Grade ≥ 3 or severe",
        "≥ 3 级或重度",
    ),
    "saf.col.g3.severity": (
        "Severe",
        "重度",
    ),
    "saf.col.g3.mixed": (
        "Grade ≥ 3 or severe",
        "≥ 3 级或重度",
    ),
    "saf.col.any.severity": (
        "Any severity",
        "任何程度",
    ),
    "saf.col.any.mixed": (
        "Any",
        "任何",
    ),
    "saf.col.worst.severity": (
        "Worst mild/moderate/severe",
        "最重 轻/中/重",
    ),
    "saf.col.worst.mixed": (
        "Worst 1/2/3/4/5 (mild 1, moderate 2, severe 3)",
        "最高 1/2/3/4/5（轻 1、中 2、重 3）",
    ),
    "saf.col.grade.severity": (
        "Severity",
        "严重程度",
    ),
    "saf.col.grade.mixed": (
        "Grade or severity",
        "级别或严重程度",
    ),
    "saf.col.term.severity": (
        "Term",
        "术语",
    ),
    "saf.col.term.mixed": (
        "Term",
        "术语",
    ),
    "saf.toggle.grade3.severity": (
        "Severe only",
        "仅重度",
    ),
    "saf.toggle.grade3.mixed": (
        "Grade ≥ 3 or severe only",
        "仅 ≥ 3 级或重度",
    ),
    "saf.incidence.title.severity": (
        "Subjects with each event, by arm and worst severity",
        "各组发生各事件的受试者及最重程度",
    ),
    "saf.incidence.title.mixed": (
        "Subjects with each event, by arm and worst grade or severity",
        "各组发生各事件的受试者及最高级别或程度",
    ),
    "saf.interest.g3": (
        "≥G3 {n}",
        "≥3 级 {n}",
    ),
    "saf.interest.g3.severity": (
        "severe {n}",
        "重度 {n}",
    ),
    "saf.interest.g3.mixed": (
        "≥G3/severe {n}",
        "≥3 级/重度 {n}",
    ),
    "def.grade.severity": (
        "This study records a severity (AESEV: mild, moderate, severe), not a CTCAE grade; the pages count it as 1, 2 and 3 and say severity. Counted at each subject's worst. Severity is not seriousness.",
        "本研究记录的是严重程度（AESEV：轻、中、重），而非 CTCAE 级别；页面按 1、2、3 计数并标为严重程度。按每位受试者的最重程度计数。严重程度不等于严重性。",
    ),
    "def.grade.mixed": (
        "CTCAE v5.0 grade 1–5 where the source gives one; where it gives only a severity (AESEV), mild counts as 1, moderate 2, severe 3. Counted at each subject's worst; ≥ 3 means grade 3–5 or severe. Grade is not seriousness.",
        "来源提供 CTCAE v5.0 级别（1–5）时按级别；仅提供严重程度（AESEV）时轻计 1、中计 2、重计 3。按每位受试者的最高值计数；≥ 3 表示 3–5 级或重度。级别不等于严重性。",
    ),
    "saf.incidence.sub.severity": (
        "each subject counted once per term, at the worst severity; arms {population}; grouped by system organ class",
        "每位受试者每个术语计一次，按最重程度；组别{population}；按系统器官分类分组",
    ),
    "saf.incidence.sub.mixed": (
        "each subject counted once per term, at the worst grade or severity; arms {population}; grouped by system organ class",
        "每位受试者每个术语计一次，按最高级别或程度；组别{population}；按系统器官分类分组",
    ),
    "saf.listing.help.severity": (
        "{events} known by the data date. Severity as recorded: 1 mild, 2 moderate, 3 severe. SAEs are shaded, events leading to death darker. Click a subject to see their timeline. Sorting, filters, the search and the CSV export work on every event, not only the page shown.",
        "截至数据日已知 {events}。严重程度按记录：1 轻、2 中、3 重。严重事件以底色标出，导致死亡的事件颜色更深。点击受试者可查看其时间线。排序、筛选、搜索与 CSV 导出均作用于全部事件，而非仅当前页。",
    ),
    "saf.listing.help.mixed": (
        "{events} known by the data date. Grade or severity as recorded (severity: 1 mild, 2 moderate, 3 severe). SAEs are shaded, events leading to death darker. Click a subject to see their timeline. Sorting, filters, the search and the CSV export work on every event, not only the page shown.",
        "截至数据日已知 {events}。级别或严重程度按记录（严重程度：1 轻、2 中、3 重）。严重事件以底色标出，导致死亡的事件颜色更深。点击受试者可查看其时间线。排序、筛选、搜索与 CSV 导出均作用于全部事件，而非仅当前页。",
    ),
    "def.incidence.severity": (
        "Subject-level incidence: a subject with several events of one term counts once, at the worst severity (mild, moderate, severe as recorded); events without a valid severity count in 'any' only. Percentages use the randomized subjects of the arm as treated.",
        "受试者水平发生率：同一术语多次事件的受试者只计一次，取最重程度（按记录的轻、中、重）；无有效程度的事件只计入“任何”。百分比以按实际治疗分组的随机受试者为分母。",
    ),
    "def.incidence.mixed": (
        "Subject-level incidence: a subject with several events of one term counts once, at the worst grade or severity (mild 1, moderate 2, severe 3); ≥ 3 counts grades 3–5 and severe; events without a valid grade count in 'any' only. Percentages use the randomized subjects of the arm as treated.",
        "受试者水平发生率：同一术语多次事件的受试者只计一次，取最高级别或程度（轻 1、中 2、重 3）；≥ 3 计 3–5 级及重度；无有效级别的事件只计入“任何”。百分比以按实际治疗分组的随机受试者为分母。",
    ),
    "pack.busy": (
        "Another meeting pack is being built (yours or someone else's): try again in a minute.",
        "正在生成另一份会议材料（您或他人的）：请一分钟后再试。",
    ),
}


# key -> ((English singular, English plural), Chinese). One rule for both languages: English
# uses the singular for exactly 1, Chinese has a single form (gettext nplurals=1).
PLURALS: dict[str, tuple[tuple[str, str], str]] = {
    "n.subjects": (("{n} subject", "{n} subjects"), "{n} 例受试者"),
    "n.events": (("{n} event", "{n} events"), "{n} 个事件"),
    "n.days": (("{n} day", "{n} days"), "{n} 天"),
    "n.findings": (("{n} finding", "{n} findings"), "{n} 条发现"),
    "n.visits": (("{n} visit", "{n} visits"), "{n} 次访视"),
    "n.centers": (("{n} center", "{n} centers"), "{n} 个中心"),
    "n.randomized": (("{n} randomized", "{n} randomized"), "{n} 例随机"),
    "vis.swimmer_capped": (
        (
            "{scope} · the {k} most recently randomized of {n} subject (narrow the centers to see others) · data as of {date}",
            "{scope} · the {k} most recently randomized of {n} subjects (narrow the centers to see others) · data as of {date}",
        ),
        "{scope} · {n} 例中最近随机的 {k} 例（缩小中心范围可查看其他）· 数据截至 {date}",
    ),
    "rnd.kpi.balance_bad": (
        (
            "{n} center beyond what blocks allow: {centers}",
            "{n} centers beyond what blocks allow: {centers}",
        ),
        "{n} 个中心超出区组允许范围：{centers}",
    ),
    "center.others": (("{n} other center", "{n} other centers"), "其他 {n} 个中心"),
    "fmt.days_ago": (("{n} day ago", "{n} days ago"), "{n} 天前"),
    "fmt.scheme": (
        ("{dose} Gy in {n} fraction", "{dose} Gy in {n} fractions"),
        "{dose} Gy / {n} 次",
    ),
    "lc.subtitle": (
        (
            "{scope} · {n} image read · data as of {date}",
            "{scope} · {n} image reads · data as of {date}",
        ),
        "{scope} · {n} 次影像评估 · 数据截至 {date}",
    ),
    "lc.legend.km": (
        ("{arm} ({n} event / {subjects})", "{arm} ({n} events / {subjects})"),
        "{arm}（{n} 个事件 / {subjects}）",
    ),
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The text for a key in a language (English when the language is unknown)."""
    try:
        en, zh = MESSAGES[key]
    except KeyError:
        raise KeyError(f"no translation for {key!r}") from None
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def tn(key: str, n: int, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The text for a count: '1 subject', '2 subjects', '2 例受试者'."""
    try:
        (one, other), zh = PLURALS[key]
    except KeyError:
        raise KeyError(f"no plural translation for {key!r}") from None
    text = zh if lang == "zh" else (one if n == 1 else other)
    return text.format(n=n, **values)


def variant(key: str, suffix: str | None) -> str:
    """`key.suffix` when such a message exists (e.g. the severity wording), else `key`."""
    return f"{key}.{suffix}" if suffix and f"{key}.{suffix}" in MESSAGES else key


def label(prefix: str, code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The translation of a data code (a reason, a state), or the code as recorded."""
    key = f"{prefix}.{code}"
    return t(key, lang) if key in MESSAGES else code


def normalise_language(lang: str | None) -> str:
    """A supported language code ('en' for anything unknown)."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def format_month(day: object, lang: str) -> str:
    """'Nov 2026' or '2026年11月'."""
    import pandas as pd

    ts = pd.Timestamp(day)
    return f"{ts.year}年{ts.month}月" if lang == "zh" else ts.strftime("%b %Y")


def format_date(day: object, lang: str) -> str:
    """'15 Nov 2026' or '2026年11月15日'."""
    import pandas as pd

    ts = pd.Timestamp(day)
    return f"{ts.year}年{ts.month}月{ts.day}日" if lang == "zh" else ts.strftime("%-d %b %Y")


def pct(x: float | None, digits: int = 0) -> str:
    """'45%' (the same in both languages); '–' for no value."""
    if x is None or x != x:
        return "–"
    return f"{x * 100:.{digits}f}%"


def number(x: float | None, digits: int = 0) -> str:
    """A number with fixed decimals; '–' for no value; never '−0'."""
    if x is None or x != x:
        return "–"
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "−")


def signed(x: float | None, digits: int = 0) -> str:
    """'+3', '−3' and '0' (no sign on zero, a true minus sign)."""
    if x is None or x != x:
        return "–"
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        return f"{0:.{digits}f}"
    return ("+" + text if x > 0 else text).replace("-", "−")
