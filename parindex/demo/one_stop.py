"""The province's one-stop dossiers (*hồ sơ TTHC một cửa*) of 2014 for the demo.

The 2014 working-day calendar (`data/holidays-2014.csv`: the days off of Công văn số
10525/VPCP-KGVX ngày 12/12/2013, nine days of Tết from 28/01 to 05/02 included) is entered
holiday by holiday; then an export of the one-stop software, as such systems write it
(Vietnamese headers of `DEFAULT_MAPPING`, statuses "Đã trả kết quả", "Đang xử lý", "Rút hồ
sơ", "Có"/"Không" online), is generated and imported as the secretariat would upload it.

The export is generated at load time (about 4 MB, too big to ship) and is deterministic: a
seeded random generator over the fixed tables below, so the same bytes, the same SHA-256
and the same figures on every machine. About a third of the dossiers are online. Two
departments are above 10% late (Tài nguyên và Môi trường, Khoa học và Công nghệ), which the
departments' cap Tốt → Khá reads, and the consequence rule on units once the 2014 cycle is
published; in each department the first official takes a larger share of the late dossiers,
so some officials are above 10% (seed 004's rule on officials, `/dossiers/son_la/officials/`).
Late dossiers come with an apology and one new date in time, with a faulty one (too late,
twice, too long), or with none.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from parindex.accounts.models import User
from parindex.demo.build import DATA, Say
from parindex.dossiers.models import DossierImport
from parindex.dossiers.reading import DEFAULT_MAPPING
from parindex.dossiers.services import dossiers_import, holiday_add
from parindex.units.models import Authority

YEAR = 2014
SEED = 2014
# the export was taken on the year's last working evening; naive Vietnam time, as the import
# and the export's own cells have it
AS_OF = dt.datetime(2014, 12, 31, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))).replace(
    tzinfo=None
)
EXPORT_NAME = "mot-cua-so-nganh-2014.csv"
HOLIDAYS = DATA / "holidays-2014.csv"
LATE_FROM_BEFORE = dt.date(2014, 11, 17)  # late dossiers are finished by the end of the year

FINISHED, PENDING, WITHDRAWN = "Đã trả kết quả", "Đang xử lý", "Rút hồ sơ"
WITHDRAWN_SHARE = 0.012
SLOW_OFFICIAL = 4  # the first official of a department is this many times likelier to be late


@dataclass(frozen=True)
class Department:
    """A department's year: dossiers received, share late (of those finished), share online,
    and its procedures (*thủ tục*) with their processing time in working days."""

    dossiers: int
    late: float
    online: float
    procedures: tuple[tuple[str, int], ...]


# Volumes sum to 20,000; late shares follow `departments-metrics.csv` but for Tài nguyên và
# Môi trường, raised above 10% (land dossiers); online shares average about 30%.
DEPARTMENTS: dict[str, Department] = {
    "SO_NV": Department(400, 0.042, 0.25, (
        ("Thẩm định thành lập, tổ chức lại, giải thể đơn vị sự nghiệp công lập", 15),
        ("Cho phép thành lập hội", 30),
        ("Xét tặng danh hiệu thi đua, hình thức khen thưởng", 20),
    )),
    "SO_TP": Department(2800, 0.005, 0.40, (
        ("Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", 10),
        ("Cấp bản sao giấy tờ hộ tịch từ sổ hộ tịch", 3),
        ("Đăng ký hoạt động Văn phòng công chứng", 10),
    )),
    "SO_TC": Department(450, 0.028, 0.45, (
        ("Cấp mã số đơn vị có quan hệ với ngân sách", 2),
        ("Thẩm tra, phê duyệt quyết toán dự án hoàn thành", 30),
    )),
    "SO_KHDT": Department(2600, 0.006, 0.55, (
        ("Đăng ký thành lập doanh nghiệp tư nhân", 5),
        ("Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên", 5),
        ("Đăng ký thay đổi nội dung đăng ký doanh nghiệp", 5),
        ("Cấp Giấy chứng nhận đầu tư", 15),
    )),
    "SO_CT": Department(1400, 0.085, 0.35, (
        ("Cấp Giấy phép kinh doanh bán lẻ sản phẩm thuốc lá", 10),
        ("Cấp Giấy phép kinh doanh bán buôn sản phẩm rượu", 10),
        ("Cấp Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu", 15),
    )),
    "SO_NNPTNT": Department(700, 0.029, 0.25, (
        ("Cấp Giấy chứng nhận kiểm dịch động vật vận chuyển ra khỏi địa bàn tỉnh", 3),
        ("Cấp Giấy chứng nhận đủ điều kiện vệ sinh thú y", 15),
        ("Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông lâm thủy sản", 15),
    )),
    "SO_TNMT": Department(1900, 0.128, 0.12, (
        ("Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn "
         "liền với đất cho tổ chức", 30),
        ("Đăng ký biến động về sử dụng đất, tài sản gắn liền với đất", 15),
        ("Thẩm định, phê duyệt báo cáo đánh giá tác động môi trường", 30),
    )),
    "SO_XD": Department(900, 0.036, 0.20, (
        ("Cấp giấy phép xây dựng công trình", 20),
        ("Cấp chứng chỉ hành nghề hoạt động xây dựng", 10),
        ("Thẩm định thiết kế cơ sở", 15),
    )),
    "SO_GTVT": Department(3600, 0.036, 0.30, (
        ("Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp", 5),
        ("Cấp giấy phép kinh doanh vận tải bằng xe ô tô", 5),
        ("Cấp phù hiệu xe ô tô kinh doanh vận tải", 2),
    )),
    "SO_GDDT": Department(800, 0.05, 0.30, (
        ("Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", 2),
        ("Chỉnh sửa nội dung văn bằng, chứng chỉ", 5),
        ("Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục", 20),
    )),
    "SO_YT": Department(1500, 0.001, 0.35, (
        ("Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", 20),
        ("Cấp Giấy chứng nhận đủ điều kiện kinh doanh thuốc", 20),
        ("Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", 15),
    )),
    "SO_VHTTDL": Department(500, 0.066, 0.20, (
        ("Cấp giấy phép kinh doanh karaoke", 7),
        ("Cấp giấy phép tổ chức biểu diễn nghệ thuật chuyên nghiệp", 5),
        ("Xếp hạng cơ sở lưu trú du lịch hạng 1 sao, 2 sao", 20),
    )),
    "SO_LDTBXH": Department(1300, 0.031, 0.25, (
        ("Cấp giấy phép lao động cho người nước ngoài làm việc tại Việt Nam", 10),
        ("Giải quyết hưởng trợ cấp thất nghiệp", 20),
        ("Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", 15),
    )),
    "SO_KHCN": Department(300, 0.119, 0.30, (
        ("Cấp Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", 15),
        ("Cấp giấy phép tiến hành công việc bức xạ (sử dụng thiết bị X-quang chẩn đoán "
         "trong y tế)", 15),
    )),
    "SO_TTTT": Department(250, 0.056, 0.50, (
        ("Cấp giấy phép xuất bản bản tin", 10),
        ("Cấp giấy phép hoạt động in", 10),
        ("Cấp giấy phép thiết lập trang thông tin điện tử tổng hợp", 15),
    )),
    "SO_NGV": Department(120, 0.069, 0.15, (
        ("Cho phép tổ chức hội nghị, hội thảo quốc tế trên địa bàn tỉnh", 10),
        ("Cho phép sử dụng thẻ đi lại của doanh nhân APEC", 10),
    )),
    "TTR": Department(80, 0.058, 0.04, (
        ("Giải quyết khiếu nại lần hai tại cấp tỉnh", 45),
        ("Giải quyết tố cáo tại cấp tỉnh", 60),
    )),
    "VP_UBND": Department(300, 0.01, 0.40, (
        ("Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về quy định hành chính", 10),
    )),
    "BAN_DT": Department(100, 0.042, 0.03, (
        ("Công nhận người có uy tín trong đồng bào dân tộc thiểu số", 15),
        ("Xác nhận thôn, bản đặc biệt khó khăn", 20),
    )),
}  # fmt: skip

# Officials' names: the Kinh and Thái families of Sơn La.
FAMILIES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô",
    "Lò", "Lường", "Cầm", "Quàng", "Tòng", "Hà", "Điêu", "Sầm",
)  # fmt: skip
MIDDLE = {"m": ("Văn", "Đức", "Minh", "Quang", "Mạnh"), "f": ("Thị", "Thu", "Thanh", "Ngọc")}
GIVEN = {
    "m": ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong",
          "Quân", "Sơn", "Thắng", "Toàn", "Tuấn", "Việt"),
    "f": ("Anh", "Dung", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
          "Phương", "Thủy", "Trang", "Vân", "Xuân", "Yến"),
}  # fmt: skip


# ---------------------------------------------------------------- the calendar


def holidays() -> list[tuple[dt.date, str]]:
    with HOLIDAYS.open(encoding="utf-8", newline="") as stream:
        return [(dt.date.fromisoformat(r["date"]), r["name"]) for r in csv.DictReader(stream)]


class Calendar:
    """Working days (Monday to Friday, not a holiday) of 2014 and 2015 (for the due dates)."""

    def __init__(self, days_off: set[dt.date]) -> None:
        day, last = dt.date(YEAR, 1, 1), dt.date(YEAR + 1, 12, 31)
        self.days: list[dt.date] = []
        while day <= last:
            if day.weekday() < 5 and day not in days_off:
                self.days.append(day)
            day += dt.timedelta(days=1)
        self.position = {day: index for index, day in enumerate(self.days)}

    def add(self, day: dt.date, working_days: int) -> dt.date:
        """The working day `working_days` after `day` (itself a working day)."""
        return self.days[self.position[day] + working_days]

    def before(self, day: dt.date, working_days: int) -> dt.date:
        return self.days[max(self.position[day] - working_days, 0)]

    def of_year(self) -> list[dt.date]:
        return self.days[: bisect.bisect_left(self.days, dt.date(YEAR + 1, 1, 1))]


# ---------------------------------------------------------------- the export


def _officials(rng: random.Random, taken: set[str], count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        sex = rng.choice("mf")
        name = f"{rng.choice(FAMILIES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _at(
    day: dt.date, rng: random.Random, after: dt.time | None = None, latest: int = 17 * 60
) -> dt.datetime:
    """A moment of office hours on `day`, from 7:30 or 20 minutes after `after`, to `latest`
    (minutes of the day)."""
    start = after.hour * 60 + after.minute + 20 if after else 7 * 60 + 30
    minute = rng.randint(start, latest)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60))


def _day(moment: dt.date) -> str:
    return moment.strftime("%d/%m/%Y")


def _moment(moment: dt.datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")


def export_rows(days_off: set[dt.date]) -> list[list[str]]:
    """The export's rows (without the header), sorted by the time received."""
    rng = random.Random(SEED)
    calendar = Calendar(days_off)
    working = calendar.of_year()
    taken: set[str] = set()
    rows: list[tuple[dt.datetime, list[str]]] = []
    for number, (code, department) in enumerate(DEPARTMENTS.items(), start=1):
        n = department.dossiers
        officials = _officials(rng, taken, min(2 + n // 400, 8))
        weights = [rng.randint(2, 5) for _ in officials]
        late_weights = [w * (SLOW_OFFICIAL if i == 0 else 1) for i, w in enumerate(weights)]
        received_days = sorted(rng.choice(working) for _ in range(n))
        eligible = [i for i, day in enumerate(received_days) if day < LATE_FROM_BEFORE]
        late = set(rng.sample(eligible, round(department.late * n * (1 - WITHDRAWN_SHARE))))
        for index, day in enumerate(received_days):
            procedure, days = rng.choice(department.procedures)
            is_late = index in late
            official = rng.choices(officials, late_weights if is_late else weights)[0]
            received = _at(day, rng, latest=16 * 60)  # a dossier of the day can end today
            due = calendar.add(day, days)
            cells = _dossier(rng, calendar, received, due, days, is_late)
            online = "Có" if rng.random() < department.online else "Không"
            identifier = f"000.00.{number:02d}.H55-{day:%y%m%d}-{index + 1:04d}"
            row = [identifier, code, procedure, official, _moment(received), _day(due)]
            rows.append((received, [*row[:6], cells[0], cells[1], online, *cells[2:]]))
    rows.sort(key=lambda item: (item[0], item[1][0]))
    return [row for _, row in rows]


def _dossier(
    rng: random.Random,
    calendar: Calendar,
    received: dt.datetime,
    due: dt.date,
    days: int,
    is_late: bool,
) -> list[str]:
    """finished_at, status, apology_at, new_due_at, reschedules of one dossier."""
    apologised: dt.datetime | None = None
    new_due = reschedules = ""
    if not is_late and rng.random() < WITHDRAWN_SHARE:
        return ["", WITHDRAWN, "", "", ""]
    if is_late:
        extension = max(1, days // 3)
        kind = rng.random()
        if kind < 0.55 and days >= 3:  # apologised in time, one new date within a third
            apologised = _at(calendar.before(due, rng.randint(1, 2)), rng)
            new_due, reschedules = _day(calendar.add(due, extension)), "1"
            finished_day = calendar.add(due, rng.randint(1, extension))
        elif kind < 0.75:  # apologised, but too late, twice or for too long
            variant = rng.randrange(3)
            apologised = _at(due if variant == 0 else calendar.before(due, 1), rng)
            longer = extension if variant != 2 else days + 2
            new_due = _day(calendar.add(due, longer))
            reschedules = "2" if variant == 1 else "1"
            finished_day = calendar.add(due, rng.randint(1, longer))
        else:  # no apology at all; one in ten forgotten for weeks
            stuck = rng.random() < 0.1
            finished_day = calendar.add(due, rng.randint(10, 40) if stuck else rng.randint(1, 8))
    elif rng.random() < 0.2 or days == 0:
        finished_day = due  # on the day promised
    else:
        finished_day = calendar.add(received.date(), rng.randint(0, days - 1))
    same_day = finished_day == received.date()
    finished = _at(finished_day, rng, received.time() if same_day else None)
    if apologised is not None and apologised > AS_OF:  # not yet when the export was taken
        apologised, new_due, reschedules = None, "", ""
    apology = _moment(apologised) if apologised else ""
    if finished > AS_OF:
        return ["", PENDING, apology, new_due, reschedules]
    return [_moment(finished), FINISHED, apology, new_due, reschedules]


def export_write(path: Path, days_off: set[dt.date]) -> int:
    """Write the export to `path`; returns the number of dossiers."""
    rows = export_rows(days_off)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(list(DEFAULT_MAPPING))
        writer.writerows(rows)
    return len(rows)


# ---------------------------------------------------------------- loading


def one_stop_load(*, authority: Authority, secretary: User, say: Say) -> DossierImport:
    """The 2014 holidays and the departments' 2014 export, imported by the secretariat."""
    calendar = holidays()
    for date, name in calendar:
        holiday_add(authority=authority, date=date, name=name, by=secretary)
    with tempfile.TemporaryDirectory(prefix="parindex-demo-") as work:
        path = Path(work) / EXPORT_NAME
        export_write(path, {date for date, _ in calendar})
        with path.open("rb") as stream:
            outcome = dossiers_import(
                authority=authority,
                year=YEAR,
                file=stream,
                file_name=EXPORT_NAME,
                by=secretary,
                as_of=AS_OF,
            )
    record = outcome.dossier_import
    late = record.late / record.finished if record.finished else 0
    received = f"{record.received:,}".replace(",", ".")
    say(
        f"  hồ sơ một cửa năm {YEAR}: {received} hồ sơ của các sở, ngành "
        f"({_percent(late)} trễ hạn), {len(calendar)} ngày nghỉ lễ, Tết"
    )
    return record


def _percent(share: float) -> str:
    return f"{share:.1%}".replace(".", ",")
