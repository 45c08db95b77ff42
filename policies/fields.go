package policies

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A 文号 has one of these shapes, brackets and spaces normalised first:
//
//	机关代字〔年份〕序号号      青政办发〔2026〕15号, 国办函〔2024〕5号, 京政发〔2024〕第3号
//	机关令第N号               国务院令第723号, 中华人民共和国主席令第六十五号, 令第5号
//	机关令/公告年份年第N号      国家发展改革委令2024年第7号, 国家税务总局公告2023年第1号
var (
	docNumberBracket = regexp.MustCompile(`[\p{Han}A-Za-z]{1,20}〔(?:19|20)\d{2}〕第?\d{1,5}号`)
	docNumberOrder   = regexp.MustCompile(`[\p{Han}A-Za-z]{0,24}令第?[0-9一二三四五六七八九十百零〇]{1,8}号`)
	docNumberYear    = regexp.MustCompile(`[\p{Han}A-Za-z、]{1,30}(?:令|公告|通告)(?:19|20)\d{2}年第[0-9一二三四五六七八九十百零〇]{1,5}号`)
	docNumberShapes  = []*regexp.Regexp{docNumberYear, docNumberBracket, docNumberOrder}
	bracketReplacer  = strings.NewReplacer("[", "〔", "［", "〔", "(", "〔", "（", "〔", "【", "〔", "{", "〔", "〖", "〔",
		"]", "〕", "］", "〕", ")", "〕", "）", "〕", "】", "〕", "}", "〕", "〗", "〕")
	yearBrackets = regexp.MustCompile(`[\[［(（【{〖〔]\s*((?:19|20)\d{2})\s*[\]］)）】}〗〕]`)
)

// docNumber is s as a 文号 ("" when s has no 文号's shape): spaces
// dropped, the year's brackets written 〔〕.
func docNumber(s string) string {
	if !strings.Contains(s, "号") {
		return ""
	}
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\u3000", " ")), "")
	s = yearBrackets.ReplaceAllStringFunc(s, func(m string) string { return bracketReplacer.Replace(m) })
	for _, re := range docNumberShapes {
		if m := re.FindString(s); m != "" {
			return m
		}
	}
	return ""
}

var dateRe = regexp.MustCompile(`((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})`)

// normalizeDate turns 2026年11月10日, 2026-11-10 09:30, 2026/11/10 into
// 2026-11-10; "" when s holds no date.
func normalizeDate(s string) string {
	var y, mo, da int
	if m := dateRe.FindStringSubmatch(s); m != nil {
		y, _ = strconv.Atoi(m[1])
		mo, _ = strconv.Atoi(m[2])
		da, _ = strconv.Atoi(m[3])
	} else if m := hanDateRe.FindStringSubmatch(s); m != nil {
		// 二〇二四年三月一日, the way signatures write it
		for _, r := range m[1] {
			y = y*10 + hanDigit(r)
		}
		mo, da = hanNumber(m[2]), hanNumber(m[3])
	} else {
		return ""
	}
	if mo < 1 || mo > 12 || da < 1 || da > 31 || time.Date(y, time.Month(mo), da, 0, 0, 0, 0, time.UTC).Day() != da {
		return "" // not a day of the calendar (2月30日)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, mo, da)
}

var hanDateRe = regexp.MustCompile(`([一二三四五六七八九〇零○Ｏ]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*日`)

func hanDigit(r rune) int {
	return strings.IndexRune("〇一二三四五六七八九", r) / 3 // 3 bytes a rune; 零, ○, Ｏ are not there: -1/3 = 0
}

// hanNumber reads 一 to 三十一.
func hanNumber(s string) int {
	if i := strings.Index(s, "十"); i >= 0 {
		tens, ones := s[:i], s[i+len("十"):]
		n := 10
		if tens != "" {
			n = hanDigit([]rune(tens)[0]) * 10
		}
		if ones != "" {
			n += hanDigit([]rune(ones)[0])
		}
		return n
	}
	return hanDigit([]rune(s)[0])
}

// adoptedDate reads the parenthesised date under a law's or decision's
// heading: （2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）.
var adoptedDate = regexp.MustCompile(`^[（(]\s*((?:19|20)\d{2}年\d{1,2}月\d{1,2}日)[^）)]{0,80}(通过|发布|公布|印发|批准|施行|修订|修正)`)

// orgName is a body that can issue a document, by the end of its name.
var orgName = regexp.MustCompile(`(人民政府|政府|办公厅|办公室|委员会|常务委员会|委|部|厅|局|办|院|署|银行|中心|办事处|总会|协会|联合会|处|科|股|室|所|站|队|馆)$`)

// issuerOf reads a value for the issuer: a name, not a site's own name
// (「辽阳网站」), not 本网/本站, not too long to be one.
func issuerOf(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 60 || emptyValue.MatchString(s) {
		return ""
	}
	for _, w := range []string{"网站", "门户", "本网", "本站", "网", "原创", "新闻中心", "融媒体中心"} {
		if strings.HasSuffix(s, w) {
			return ""
		}
	}
	return s
}

// headingIssuer is the issuer a heading names: 「国务院关于…的通知」 → 国务院,
// 「全国人民代表大会常务委员会关于修改…的决定」 → 全国人民代表大会常务委员会.
func headingIssuer(title string) string {
	i := strings.Index(title, "关于")
	if i <= 0 {
		return ""
	}
	name := strings.TrimSpace(title[:i])
	if utf8.RuneCountInString(name) > 60 || strings.ContainsAny(name, "《》“”") {
		return ""
	}
	parts := strings.Fields(name)
	for _, p := range parts {
		if !orgName.MatchString(p) {
			return ""
		}
	}
	return strings.Join(parts, "、")
}

// signature reads the issuer and date that end a document: one or more
// lines of issuing bodies (several on a line, spaced apart, for a joint
// notice), then the date; notes such as （此件公开发布） may follow.
func signature(lines []string) (issuer, date string) {
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if utf8.RuneCountInString(l) > 16 {
			continue
		}
		d := normalizeDate(l)
		if d == "" {
			continue
		}
		// Far from the end (a notice's signature above the measures it
		// issues) only a date under a body's name is a signature.
		if i < len(lines)-8 && (i == 0 || !orgLine(lines[i-1])) {
			continue
		}
		var orgs []string
		for j := i - 1; j >= 0 && j >= i-8; j-- {
			parts := strings.Fields(lines[j])
			if utf8.RuneCountInString(lines[j]) > 60 || len(parts) == 0 {
				break
			}
			if !orgLine(lines[j]) {
				break
			}
			orgs = append(parts, orgs...)
		}
		return strings.Join(orgs, "、"), d
	}
	return "", ""
}

// orgLine is a line of one or more bodies' names, spaced apart.
func orgLine(l string) bool {
	parts := strings.Fields(l)
	if len(parts) == 0 || utf8.RuneCountInString(l) > 60 {
		return false
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) > 30 || !orgName.MatchString(p) {
			return false
		}
	}
	return true
}
