"""The demo province's data: units, deputies' names and cities, suggestion topics, the stages its
cases stop at, and the logins printed by `jianyi demo`. The loader (``workflows.demo``) builds
the province from them."""
from __future__ import annotations

from dataclasses import dataclass

# Security review: demo data only; real users get their own passwords.
DEMO_PASSWORD = "jianyi-demo"  # nosec B105

UNITS = [
    ("fgw", "省发展和改革委员会", "government"), ("jyt", "省教育厅", "government"),
    ("kjt", "省科学技术厅", "government"), ("gxt", "省工业和信息化厅", "government"),
    ("gat", "省公安厅", "government"), ("mzt", "省民政厅", "government"),
    ("czt", "省财政厅", "government"), ("rst", "省人力资源和社会保障厅", "government"),
    ("zrt", "省自然资源厅", "government"), ("sthjt", "省生态环境厅", "government"),
    ("zjt", "省住房和城乡建设厅", "government"), ("jtt", "省交通运输厅", "government"),
    ("slt", "省水利厅", "government"), ("nynct", "省农业农村厅", "government"),
    ("swt", "省商务厅", "government"), ("wlt", "省文化和旅游厅", "government"),
    ("wjw", "省卫生健康委员会", "government"), ("yjt", "省应急管理厅", "government"),
    ("scjgj", "省市场监督管理局", "government"), ("ybj", "省医疗保障局", "government"),
    ("dl", "国网湖南省电力有限公司", "other"),
    ("txglj", "省通信管理局", "other"),
]
DIVISIONS = ["综合处", "规划处", "政策法规处"]
CITIES = ["长沙市", "株洲市", "湘潭市", "衡阳市", "邵阳市", "岳阳市", "常德市", "张家界市",
          "益阳市", "郴州市", "永州市", "怀化市", "娄底市", "湘西土家族苗族自治州"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明",
         "超", "秀英", "建华", "志强", "海燕", "丽华"]
TOPICS = [  # (field, title, lead unit, co-units)
    ("交通", "关于加快城际铁路建设的建议", "jtt", ["fgw", "czt"]),
    ("交通", "关于改善农村公路养护机制的建议", "jtt", ["czt"]),
    ("教育", "关于加强乡村教师队伍建设的建议", "jyt", ["rst", "czt"]),
    ("教育", "关于扩大职业教育产教融合的建议", "jyt", ["gxt"]),
    ("医疗", "关于推进县域医共体建设的建议", "wjw", ["ybj"]),
    ("医疗", "关于完善异地就医结算的建议", "ybj", ["wjw"]),
    ("农业", "关于支持高标准农田建设的建议", "nynct", ["czt", "zrt"]),
    ("农业", "关于发展油茶产业的建议", "nynct", ["kjt"]),
    ("环境", "关于加强洞庭湖生态保护的建议", "sthjt", ["slt", "zrt"]),
    ("环境", "关于推进城乡生活垃圾分类的建议", "zjt", ["sthjt"]),
    ("水利", "关于加快中小河流治理的建议", "slt", ["czt"]),
    ("社保", "关于完善灵活就业人员社保政策的建议", "rst", ["ybj"]),
    ("民政", "关于发展社区居家养老服务的建议", "mzt", ["wjw", "czt"]),
    ("科技", "关于支持湘江科学城建设的建议", "kjt", ["fgw", "zrt"]),
    ("产业", "关于延伸现代石化产业链的建议", "gxt", ["fgw", "sthjt"]),
    ("商贸", "关于促进县域商业体系建设的建议", "swt", ["nynct"]),
    ("文旅", "关于打造红色旅游精品线路的建议", "wlt", ["jtt"]),
    ("安全", "关于加强基层应急能力建设的建议", "yjt", ["czt"]),
    ("市场", "关于加强食品安全监管的建议", "scjgj", ["nynct"]),
    ("能源", "关于加快农村电网改造升级的建议", "dl", ["fgw"]),
    ("通信", "关于推进5G网络向乡镇延伸的建议", "txglj", ["gxt"]),
    ("治安", "关于加强电信网络诈骗治理的建议", "gat", ["txglj"]),
]
# (how many cases, where each stops): the stages a demo province shows at once.
STAGES = [
    (6, "to_assign"), (6, "to_acknowledge"), (2, "return_pending"), (8, "handling"),
    (6, "in_review"), (5, "overdue"), (2, "long_overdue"), (2, "coordination_requested"),
    (8, "awaiting_feedback"), (3, "rehandling"), (1, "twice_dissatisfied"),
    (4, "follow_up"), (10, "closed"),
]

# The second case of these stages is the account-less deputy's: one feedback form waits for the
# commission to record it, one was recorded and the case closed.
PAPER_FEEDBACK_STAGES = ("awaiting_feedback", "closed")


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    note: str
    name: str = ""  # the person's name shown in the page header; a deputy's is their record's


LOGINS = [
    Login("commission", "commission", "代表工委 commission staff (also records paper feedback: 代录)",
          "周敏"),
    Login("unit_handler", "jtt_handler", "省交通运输厅 unit handler (lead unit)", "刘洋"),
    Login("reviewer", "jtt_reviewer", "省交通运输厅 deputy head (reviewer)", "陈建华"),
    Login("signer", "jtt_signer", "省交通运输厅 principal head (signer)", "黄志强"),
    Login("unit_handler", "czt_handler", "省财政厅 handler (a co-handling unit)", "吴静"),
    Login("deputy", "deputy", "代表 lead deputy of several suggestions"),
    Login("provincial_leader", "leader", "省领导 supervising leader", "赵海燕"),
    Login("committee", "committee", "专门委员会 special committee member (教科文卫委, 对口督办)",
          "孙丽华"),
    Login("designer", "designer", "process designer", "马超"),
    Login("admin", "admin", "administrator", "朱磊"),
]

