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
        "This view could not be drawn: {reason}. The other pages still work.",
        "此视图无法绘制：{reason}。其他页面仍可使用。",
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
    "rec.kpi.randomized_value": ("{n} / {target}", "{n} / {target}"),
    "rec.kpi.pct": ("{pct:.0%} of target", "完成 {pct:.0%}"),
    "rec.kpi.this_month": ("randomized in {month}", "{month} 随机"),
    "rec.kpi.forecast": ("target reached (forecast)", "预计达到目标"),
    "rec.kpi.forecast_interval": (
        "{pct:.0%} interval: {low} – {high}",
        "{pct:.0%} 区间：{low} – {high}",
    ),
    "rec.kpi.forecast_none": ("no forecast yet", "暂无预测"),
    "rec.kpi.reached": ("target reached", "已达到目标"),
    "rec.kpi.screened": ("screened · {share:.0%} screen failures", "已筛选 · 筛选失败 {share:.0%}"),
    "rec.kpi.vs_plan": (
        "vs plan by now ({planned:.0f} planned)",
        "与当前计划相比（计划 {planned:.0f}）",
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
    "rec.legend.forecast_band": ("Forecast {pct:.0%} interval", "预测 {pct:.0%} 区间"),
    "rec.subtitle": (
        "{scope} · n = {n} randomized · data as of {date}",
        "{scope} · n = {n} 例随机 · 数据截至 {date}",
    ),
    "rec.subtitle_screened": (
        "{scope} · {n} screen failures of {screened} screened · data as of {date}",
        "{scope} · 筛选 {screened} 例中失败 {n} 例 · 数据截至 {date}",
    ),
    "rec.model": (
        "Forecast model: each center recruits as a Poisson process whose rate is estimated from "
        "its own accrual so far, with the planned rate as a gamma prior worth {weight:.0%} of the "
        "target (Gajewski et al. 2008); the trial total adds the centers' rates; bands are "
        "{pct:.0%} predictive intervals.",
        "预测模型：每个中心的入组视为泊松过程，速率由该中心至今的入组估计，并以计划速率作为伽马先验"
        "（权重为目标的 {weight:.0%}，Gajewski 等 2008）；总体预测为各中心速率之和；阴影为 {pct:.0%} "
        "预测区间。",
    ),
    "rec.table.title": ("Centers against plan", "各中心与计划对比"),
    "rec.col.center": ("Center", "中心"),
    "rec.col.randomized": ("Randomized / target", "已随机 / 目标"),
    "rec.col.screened": ("Screened (failed)", "筛选（失败）"),
    "rec.col.planned": ("Plan by now (diff.)", "当前计划（差）"),
    "rec.col.status": ("Status", "状态"),
    "rec.col.forecast": ("Target reached, forecast", "预计达到目标"),
    "rec.table.interval": (
        "Forecast: median month, below it the {pct:.0%} predictive interval.",
        "预测：中位月份，其下为 {pct:.0%} 预测区间。",
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
        "The arm filter keeps randomized subjects only: screening counts exclude people not "
        "randomized.",
        "组别筛选仅保留已随机受试者：筛选计数不含未随机者。",
    ),
    # Visits page
    "vis.title": ("Visits", "随访"),
    "vis.kpi.compliance": (
        "visit compliance ({done} done of {expected} expected)",
        "随访依从率（应访 {expected} 次，完成 {done} 次）",
    ),
    "vis.kpi.by_arm": ("{arm}: {pct}", "{arm}：{pct}"),
    "vis.kpi.due": (
        "visits due now ({overdue} past target day)",
        "当前应访（{overdue} 次已过目标日）",
    ),
    "vis.kpi.missed": ("visits missed", "缺失随访"),
    "vis.kpi.not_expected": (
        "visits not expected (subject left the study)",
        "无需随访（受试者已退出）",
    ),
    "vis.kpi.flags": ("subjects without a procedure date", "缺少手术日期的受试者"),
    "vis.fig.heatmap": ("Visit compliance by center and visit", "各中心各访视的依从率"),
    "vis.fig.missed": ("Missed visits by month the window closed", "按窗口关闭月份统计的缺失随访"),
    "vis.fig.swimmer": ("Follow-up of each subject", "每位受试者的随访"),
    "vis.subtitle": (
        "{scope} · {n} randomized subjects · data as of {date}",
        "{scope} · {n} 例随机受试者 · 数据截至 {date}",
    ),
    "vis.subtitle_heatmap": (
        "{scope} · cell: done / (done + missed) · data as of {date}",
        "{scope} · 单元格：完成 /（完成 + 缺失） · 数据截至 {date}",
    ),
    "vis.swimmer_capped": (
        "{scope} · the {k} most recently randomized of {n} subjects (narrow the centers to see others) · data as of {date}",
        "{scope} · 显示 {n} 例中最近随机的 {k} 例（缩小中心范围可查看其他）· 数据截至 {date}",
    ),
    "vis.axis.compliance": ("Compliance", "依从率"),
    "vis.axis.month_closed": ("Month the visit window closed", "访视窗口关闭月份"),
    "vis.axis.missed": ("Missed visits", "缺失随访数"),
    "vis.axis.day": ("day", "第"),
    "vis.axis.days_since": ("Days since the procedure (day 0)", "术后天数（第 0 天 = 手术）"),
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
    "vis.state.no_day_zero": ("no procedure date", "无手术日期"),
    "vis.worklist.title": ("Worklist: visits due now and missed", "工作清单：当前应访与缺失随访"),
    "vis.worklist.help": (
        "Due visits first (most overdue first), then missed visits (most recent first), then "
        "subjects whose visits cannot be scheduled. Sort, filter and export as you need.",
        "先列应访（逾期最久者在前），再列缺失随访（最近者在前），最后列无法排期的受试者。可排序、筛选和导出。",
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
        "Due: the visit window is open on the data date and no assessment is recorded yet. "
        "Windows come from the protocol file (W1 ±2, W2 ±3, W4 ±7, M3 ±14, M6 ±21, M12 ±30 "
        "days around the target day after the procedure).",
        "应访：数据截至日访视窗口已开放且尚无评估记录。窗口来自方案文件（术后目标日前后 W1 ±2、W2 ±3、W4 ±7、"
        "M3 ±14、M6 ±21、M12 ±30 天）。",
    ),
    "def.not_expected": (
        "The subject died, withdrew or was lost before the window opened: the visit is not "
        "counted as missed.",
        "受试者在窗口开始前死亡、退出或失访：该访视不计为缺失。",
    ),
    "def.no_day_zero": (
        "Randomized subjects without a procedure date (day 0): none of their visits can be "
        "scheduled. Fix the date in the EDC.",
        "缺少手术日期（第 0 天）的随机受试者：其所有访视均无法排期。请在 EDC 中补充日期。",
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
        "randomized: {a} {arm_a} · {b} {arm_b}",
        "已随机：{arm_a} {a} · {arm_b} {b}",
    ),
    "rnd.kpi.balance_ok": (
        "every center within what blocks allow (≤ {bound})",
        "各中心差值均在区组允许范围内（≤ {bound}）",
    ),
    "rnd.kpi.balance_bad": (
        "center(s) beyond what blocks allow: {centers}",
        "超出区组允许范围的中心：{centers}",
    ),
    "rnd.kpi.largest_diff": ("largest center difference", "中心最大组间差"),
    "rnd.kpi.binomial": (
        "exact binomial p vs 1:1, all centers",
        "与 1:1 比较的精确二项检验 p 值（全部中心）",
    ),
    "rnd.kpi.sbrt_started": (
        "of the SBRT arm started SBRT ({started}/{n}; {completed} completed)",
        "SBRT 组已开始 SBRT（{started}/{n}；完成 {completed}）",
    ),
    "rnd.kpi.departures": ("treatment departures to check", "需核查的治疗偏离"),
    "rnd.fig.balance": ("Randomized per arm by center", "各中心各组随机例数"),
    "rnd.fig.cumulative": ("Cumulative randomized per arm", "各组累计随机例数"),
    "rnd.fig.consort": ("CONSORT flow", "CONSORT 流程图"),
    "rnd.fig.schemes": ("SBRT schemes used by center (SBRT arm)", "各中心 SBRT 方案（SBRT 组）"),
    "rnd.fig.start_days": (
        "Days from procedure to SBRT start (SBRT arm)",
        "手术至 SBRT 开始天数（SBRT 组）",
    ),
    "rnd.diff": ("diff.", "差"),
    "rnd.axis.randomized": ("Subjects randomized", "随机例数"),
    "rnd.axis.subjects_sbrt": ("Subjects", "例数"),
    "rnd.axis.days_to_sbrt": ("Days from procedure to SBRT start", "手术至 SBRT 开始天数"),
    "rnd.planned_day": ("planned ~day {day}", "计划约第 {day} 天"),
    "rnd.late_day": ("late > day {day}", "延迟 > 第 {day} 天"),
    "rnd.scheme.other": ("other (not allowed)", "其他（不允许）"),
    "rnd.subtitle": (
        "{scope} · n = {n} randomized · data as of {date}",
        "{scope} · n = {n} 例随机 · 数据截至 {date}",
    ),
    "rnd.subtitle_sbrt": (
        "{scope} · {n} subjects started SBRT · data as of {date}",
        "{scope} · {n} 例已开始 SBRT · 数据截至 {date}",
    ),
    "rnd.consort.assessed": ("Assessed for eligibility (n = {n})", "评估合格性（n = {n}）"),
    "rnd.consort.excluded": ("Not randomized (n = {n})", "未随机（n = {n}）"),
    "rnd.consort.randomized": ("Randomized (n = {n})", "随机（n = {n}）"),
    "rnd.consort.allocated": ("Allocated to {arm} (n = {n})", "分配至 {arm}（n = {n}）"),
    "rnd.consort.received_sbrt": ("Started SBRT: {n}", "已开始 SBRT：{n}"),
    "rnd.consort.received_none": ("No SBRT, as allocated: {n}", "按分配未行 SBRT：{n}"),
    "rnd.consort.not_received": ("Did not receive allocated treatment: {n}", "未接受分配治疗：{n}"),
    "rnd.consort.pending": ("SBRT not yet due (< 6 weeks): {n}", "SBRT 尚未到期（< 6 周）：{n}"),
    "rnd.consort.left": ("Left the study (n = {n})", "退出研究（n = {n}）"),
    "rnd.consort.none": ("none", "无"),
    "rnd.consort.followed": ("Follow-up assessments", "随访评估"),
    "rnd.consort.with_m3": ("with a 3-month assessment: {n}", "有 3 个月评估：{n}"),
    "rnd.consort.with_m12": ("with a 12-month assessment: {n}", "有 12 个月评估：{n}"),
    "rnd.consort.png": ("Download PNG", "下载 PNG"),
    "rnd.consort.svg": ("Download SVG", "下载 SVG"),
    "rnd.table.title": ("Balance by center", "各中心组间平衡"),
    "rnd.col.center": ("Center", "中心"),
    "rnd.col.difference": ("Difference", "差值"),
    "rnd.col.ratio": ("Ratio", "比例"),
    "rnd.col.bound": ("Blocks allow ±", "区组允许 ±"),
    "rnd.col.p": ("Binomial p", "二项检验 p"),
    "rnd.col.flag": ("Check", "核查"),
    "rnd.flag.blocks": ("⚠ beyond blocks", "⚠ 超出区组"),
    "rnd.flag.binomial": ("⚠ p < 0.05", "⚠ p < 0.05"),
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
    "rnd.delivery.title": ("Treatment departures", "治疗偏离"),
    "rnd.delivery.empty": ("No treatment departure in this selection.", "当前筛选下无治疗偏离。"),
    "rnd.problem.sbrt_in_other_arm": ("SBRT given in the RFA/PVA arm", "RFA/PVA 组接受了 SBRT"),
    "rnd.problem.scheme_not_allowed": ("SBRT scheme not allowed", "SBRT 方案不在允许范围"),
    "rnd.problem.late_start": ("SBRT started late (> 4 weeks)", "SBRT 开始过晚（> 4 周）"),
    "rnd.problem.no_sbrt": ("no SBRT 6 weeks after the procedure", "术后 6 周仍未行 SBRT"),
    "rnd.col.subject": ("Subject", "受试者"),
    "rnd.col.arm": ("Arm", "组别"),
    "rnd.col.problem": ("Departure", "偏离"),
    "rnd.col.detail": ("Detail", "详情"),
    "rnd.empty.none": (
        "No subject randomized yet in this selection.",
        "当前筛选下尚无随机受试者。",
    ),
    "rnd.empty.sbrt": ("No SBRT course started in this selection.", "当前筛选下尚无 SBRT 疗程。"),
    "def.balance": (
        "Randomization is 1:1 in permuted blocks of 2 or 4, stratified by center (protocol file). "
        "Within a center the arm counts can then differ by at most 2 at any time; more means the "
        "list was not followed. The exact two-sided binomial test asks how surprising the split "
        "is under 1:1 (flag at p < 0.05).",
        "随机按中心分层、区组大小为 2 或 4 的置换区组 1:1 进行（方案文件）。因此任一时刻同一中心内两组例数之差"
        "最多为 2；超过即说明未按随机表执行。精确双侧二项检验评估该分配在 1:1 下的意外程度（p < 0.05 标记）。",
    ),
    "def.received": (
        "Received allocated treatment: SBRT started (RFA/PVA + SBRT arm) or no SBRT (RFA/PVA arm). "
        "SBRT is planned about 2 weeks after the procedure; a subject of the SBRT arm without SBRT "
        "6 weeks after the procedure did not receive it.",
        "接受分配治疗：SBRT 组已开始 SBRT，或 RFA/PVA 组未行 SBRT。SBRT 计划于术后约 2 周开始；SBRT 组术后 6 周"
        "仍未行 SBRT 视为未接受。",
    ),
    # Pain & function page
    "pain.title": ("Pain & function", "疼痛与功能"),
    "pain.kpi.responders": (
        "pain responders at {visit}: {a} · {b}",
        "{visit} 疼痛缓解率：{a} · {b}",
    ),
    "pain.kpi.responders_one": ("responders at {visit}: {rate}", "{visit} 缓解率：{rate}"),
    "pain.kpi.mean_nrs": ("mean NRS, baseline → {visit}, {arm}", "{arm} 平均 NRS：基线 → {visit}"),
    "pain.kpi.nrs_only": (
        "responses judged on NRS alone (OMED missing)",
        "仅按 NRS 判定的疗效（缺 OMED）",
    ),
    "pain.kpi.excluded": (
        "values outside 0–10 left out (see data quality)",
        "超出 0–10 的值已剔除（见数据质量）",
    ),
    "pain.n_table.title": ("Subjects behind each mean (NRS)", "各均值对应的受试者数（NRS）"),
    "pain.n_table.arm": ("Arm", "组别"),
    "pain.response_note": (
        "Pain response by the International Consensus (Chow 2012): complete = NRS 0 without more "
        "opioid; partial = NRS down ≥ 2 without more opioid, or opioid down ≥ 25% without more pain.",
        "疼痛疗效按国际共识（Chow 2012）：完全缓解 = NRS 为 0 且阿片类未增加；部分缓解 = NRS 下降 ≥ 2 且阿片类未增加，"
        "或阿片类减少 ≥ 25% 且疼痛未加重。",
    ),
    "out.subtitle": (
        "{scope} · n = {n} randomized · data as of {date}",
        "{scope} · n = {n} 例随机 · 数据截至 {date}",
    ),
    "out.empty": ("No follow-up assessment yet in this selection.", "当前筛选下尚无随访评估。"),
    "out.empty_change": (
        "Too few subjects per arm to compare (at least 2 each).",
        "每组受试者过少，无法比较（每组至少 2 例）。",
    ),
    "out.fig.nrs": ("Mean pain (NRS) by arm, with 95% CI", "各组平均疼痛（NRS）及 95% CI"),
    "out.fig.nrs_box": ("Distribution of pain (NRS) by visit and arm", "各访视各组疼痛（NRS）分布"),
    "out.fig.omed": (
        "Mean daily opioid dose (OMED) by arm, with 95% CI",
        "各组平均每日阿片剂量（OMED）及 95% CI",
    ),
    "out.fig.pafi": (
        "Mean PAFI by arm, with 95% CI (higher is better)",
        "各组平均 PAFI 及 95% CI（越高越好）",
    ),
    "out.fig.pafi_box": ("Distribution of PAFI by visit and arm", "各访视各组 PAFI 分布"),
    "out.fig.bands": ("Pain severity bands by visit", "各访视疼痛程度分级"),
    "out.fig.responders": (
        "Pain responders (complete + partial) with exact 95% CI",
        "疼痛缓解率（完全 + 部分）及精确 95% CI",
    ),
    "out.fig.categories": ("Pain response categories by visit", "各访视疼痛疗效分类"),
    "out.fig.change": ("Difference between arms in NRS change", "两组 NRS 变化之差"),
    "out.fig.change_sub": (
        "{b} minus {a}, Welch 95% CI · below 0 favours {b}",
        "{b} 减 {a}，Welch 95% CI · 小于 0 有利于 {b}",
    ),
    "out.axis.weeks": ("Weeks since the procedure", "术后周数"),
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
    "out.ni_margin": ("non-inferiority margin {m:g}", "非劣效界值 {m:g}"),
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
    "lc.kpi.median": ("median time to progression {days} days", "中位进展时间 {days} 天"),
    "lc.kpi.median_none": ("median not reached", "中位时间未达到"),
    "lc.fig.mda": ("MD Anderson response by imaging visit", "各影像访视 MD Anderson 疗效"),
    "lc.fig.dcr": ("Disease control rate by arm, exact 95% CI", "各组疾病控制率及精确 95% CI"),
    "lc.fig.km": ("Freedom from local progression (Kaplan–Meier)", "无局部进展（Kaplan–Meier）"),
    "lc.subtitle": (
        "{scope} · {n} image reads · data as of {date}",
        "{scope} · {n} 次影像评估 · 数据截至 {date}",
    ),
    "lc.subtitle_km": (
        "{scope} · {n} subjects with an evaluable image · data as of {date}",
        "{scope} · {n} 例有可评估影像 · 数据截至 {date}",
    ),
    "lc.axis.dcr": ("Disease control rate", "疾病控制率"),
    "lc.axis.free": ("Free from local progression", "无局部进展"),
    "lc.axis.at_risk": ("At risk", "风险人数"),
    "lc.axis.months": ("Months since the procedure", "术后月数"),
    "lc.legend.km": ("{arm} ({events} events / {n})", "{arm}（{events} 事件 / {n}）"),
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
        "Time from the procedure to the first image read as PD; subjects without PD are censored at "
        "their last evaluable image, deaths included (a competing risk this curve does not model).",
        "自手术至首次影像判定 PD 的时间；无 PD 者在最后一次可评估影像时删失，死亡亦然（本曲线未处理竞争风险）。",
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
        "Numerical rating of pain, 0 (none) to 10 (worst imaginable), assessed 20 minutes before the "
        "day's pain medication. Bands: 0 none, 1–3 mild, 4–6 moderate, 7–10 severe. Means with t-based "
        "95% CI; values outside 0–10 are left out.",
        "疼痛数字评分，0（无痛）至 10（最剧烈），于当日服用止痛药前 20 分钟评估。分级：0 无痛，1–3 轻度，4–6 中度，"
        "7–10 重度。均值附 t 分布 95% CI；超出 0–10 的值已剔除。",
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
        "Disease control rate = (CR + PR + SD) / evaluable, by the MD Anderson bone response criteria; "
        "not evaluable (NE) reads are excluded. Exact (Clopper–Pearson) 95% CI.",
        "疾病控制率 =（CR + PR + SD）/ 可评估例数，按 MD Anderson 骨转移疗效标准；不可评估（NE）除外。精确"
        "（Clopper–Pearson）95% CI。",
    ),
    "def.ttp": (
        "Kaplan–Meier estimate of the time from the procedure to the first image read as PD; "
        "subjects without PD are censored at their last evaluable image.",
        "自手术至首次影像判定 PD 的时间的 Kaplan–Meier 估计；无 PD 者在最后一次可评估影像时删失。",
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
        "bars from onset to resolution (ongoing: to the data date), darker = higher grade · ★ serious",
        "条形自发生至缓解（未缓解：至数据截至日），颜色越深级别越高 · ★ 严重",
    ),
    "saf.subtitle": (
        "{scope} · {n} randomized · {events} events · data as of {date}",
        "{scope} · {n} 例随机 · {events} 个事件 · 数据截至 {date}",
    ),
    "saf.axis.share": ("Share of randomized subjects", "占随机受试者比例"),
    "saf.axis.lag": ("Days from onset to report", "自发生至报告天数"),
    "saf.axis.onset": ("Days from the procedure to onset", "自手术至发生天数"),
    "saf.axis.days": ("Days since the procedure", "术后天数"),
    "saf.procedure": ("procedure (day 0)", "手术（第 0 天）"),
    "saf.last_report": ("last report {days} d ago", "最近报告于 {days} 天前"),
    "saf.never_reported": ("nothing reported", "无任何报告"),
    "saf.listing.title": ("Adverse event listing", "不良事件清单"),
    "saf.listing.help": (
        "Serious events are highlighted, grade 5 in black. Click a subject to see their events on a timeline. The export holds what the filters show.",
        "严重事件高亮显示，5 级为黑色。点击受试者可查看其事件时间线。导出内容与当前筛选一致。",
    ),
    "saf.toggle.serious": ("Serious only", "仅严重事件"),
    "saf.toggle.grade3": ("Grade ≥ 3 only", "仅 ≥ 3 级"),
    "saf.timeline.pick": (
        "Click a subject in the listing to see their events against the procedure and SBRT.",
        "点击清单中的受试者，查看其事件与手术及 SBRT 的时间关系。",
    ),
    "saf.timeline.none": (
        "No events of {subject} in this selection.",
        "当前筛选下 {subject} 无事件。",
    ),
    "saf.incidence.title": (
        "Subjects with each event, by arm and worst grade",
        "各事件的受试者数（按组及最高级别）",
    ),
    "saf.empty": ("No adverse event in this selection.", "当前筛选下无不良事件。"),
    "saf.ungradable": (
        "{n} event(s) have a grade outside 1–5: they are listed but left out of grade counts (see data quality).",
        "{n} 个事件的级别超出 1–5：已列出，但不计入分级统计（见数据质量）。",
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
    "eoi.vertebral_compression_fracture": ("vertebral compression fracture", "椎体压缩性骨折"),
    "eoi.pain_flare": ("pain flare", "疼痛闪烁"),
    "eoi.radiation_myelopathy": ("radiation myelopathy", "放射性脊髓病"),
    "eoi.esophagitis": ("esophagitis", "食管炎"),
    "eoi.cement_leakage": ("cement leakage", "骨水泥渗漏"),
    "eoi.nerve_injury": ("nerve injury", "神经损伤"),
    "def.ae": (
        "Subjects (not events) with at least one adverse event, among the randomized subjects of the arm.",
        "各组随机受试者中至少发生一次不良事件的受试者数（非事件数）。",
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
        "Subject-level incidence: a subject with several events of one term counts once, at the worst grade. Percentages use the randomized subjects of the arm.",
        "受试者水平发生率：同一术语多次发生的受试者只计一次，按最高级别。百分比以该组随机受试者为分母。",
    ),
    # Data-quality page
    "dq.check.baseline_nrs_low": ("randomized with baseline NRS < 4", "基线 NRS < 4 却已随机"),
    "dq.check.level_outside": ("treated level outside T5–L5", "治疗节段不在 T5–L5"),
    "dq.check.too_many_levels": ("more than 2 treated levels", "治疗节段超过 2 个"),
    "dq.check.imaging_too_early": (
        "imaging more than 42 days before enrollment",
        "影像早于入组 42 天以上",
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
    "dq.check.sbrt_in_other_arm": ("SBRT given in the RFA/PVA arm", "RFA/PVA 组接受了 SBRT"),
    "dq.check.scheme_not_allowed": ("SBRT scheme not allowed", "SBRT 方案不在允许范围"),
    "dq.check.late_start": (
        "SBRT started more than 4 weeks after the procedure",
        "SBRT 于术后 4 周以后开始",
    ),
    "dq.check.no_sbrt": (
        "SBRT arm without SBRT 6 weeks after the procedure",
        "SBRT 组术后 6 周仍未行 SBRT",
    ),
    "dq.check.unknown_center": ("center code not in the protocol", "中心代码不在方案中"),
    "dq.check.unknown_arm": ("arm code not in the protocol", "组别代码不在方案中"),
    "dq.check.unknown_visit": ("visit code not in the schedule", "访视代码不在计划中"),
    "dq.check.orphan_row": ("row for a subject who does not exist", "受试者不存在的记录"),
    "dq.title": ("Data quality", "数据质量"),
    "dq.cat.eligibility": ("Eligibility", "入选资格"),
    "dq.cat.range": ("Values out of range", "数值超出范围"),
    "dq.cat.dates": ("Dates", "日期"),
    "dq.cat.sbrt": ("SBRT delivery", "SBRT 实施"),
    "dq.cat.structure": ("Codes and links", "代码与关联"),
    "dq.kpi.deviations": ("protocol deviations recorded (major)", "已记录的方案偏离（重大）"),
    "dq.fig.counts": ("Findings by center and category", "各中心各类别的问题"),
    "dq.fig.trend": ("Findings by month of the record", "按记录月份统计的问题"),
    "dq.subtitle": (
        "{scope} · {n} findings · checked as of {date}",
        "{scope} · {n} 个问题 · 核查截至 {date}",
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
        "Checks from the protocol: eligibility (NRS ≥ 4, T5–L5, at most 2 levels, imaging within 42 days before enrollment), ranges (NRS and PAFI 0–10, grade 1–5), dates (none in the future or before screening, none after death, randomized after a procedure) and SBRT delivery (only in its arm, allowed schemes, start within 4 weeks). Findings never block anything.",
        "方案规定的核查：入选资格（NRS ≥ 4、T5–L5、最多 2 个节段、入组前 42 天内影像）、数值范围（NRS 与 PAFI 0–10，级别 1–5）、日期（无未来日期、无早于筛选、无死亡后记录、手术后随机）及 SBRT 实施（仅限该组、允许方案、4 周内开始）。问题不会阻止任何操作。",
    ),
    "def.dq.eligibility": (
        "Randomized subjects who do not meet an eligibility rule of the protocol file.",
        "不符合方案文件入选规则的随机受试者。",
    ),
    "def.dq.range": (
        "Values outside their scale: NRS or PAFI outside 0–10, grade outside 1–5, age outside 18–100, negative OMED, unknown MDA code.",
        "超出量表范围的值：NRS 或 PAFI 超出 0–10、级别超出 1–5、年龄超出 18–100、OMED 为负、未知 MDA 代码。",
    ),
    "def.dq.dates": (
        "Dates after the data date, before screening, after death, or in an impossible order.",
        "晚于数据截至日、早于筛选、死亡后或顺序不合理的日期。",
    ),
    "def.dq.sbrt": (
        "SBRT outside its arm, a scheme not allowed, a start later than 4 weeks, or no SBRT 6 weeks after the procedure in the SBRT arm.",
        "在非 SBRT 组实施、方案不被允许、开始晚于 4 周，或 SBRT 组术后 6 周仍未实施。",
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
        "Enrolled = randomized: a randomization date on or before the data date. Randomization "
        "is 1:1 after the RFA/PVA procedure.",
        "入组 = 已随机：随机日期不晚于数据截至日。RFA/PVA 术后按 1:1 随机。",
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
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The text for a key in a language (English when the language is unknown)."""
    try:
        en, zh = MESSAGES[key]
    except KeyError:
        raise KeyError(f"no translation for {key!r}") from None
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def label(prefix: str, code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The translation of a data code (a reason, a state), or the code as recorded."""
    key = f"{prefix}.{code}"
    return t(key, lang) if key in MESSAGES else code


def arm_label(code: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """The label of an arm code found in the data (unknown codes as recorded, none as '–')."""
    if code is None or str(code) in ("", "nan", "<NA>", "None"):
        return t("arm.none", lang)
    return label("arm", str(code), lang)


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
