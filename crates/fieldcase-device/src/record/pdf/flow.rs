//! Text flowing down A4 pages: wrapping to a width, breaking to a new page where a line or a
//! row would not fit, and the drawing operations that result. Pure: widths come from a
//! [`Measure`], so the layout is tested without a font file.

/// A4 in PDF points (1/72 inch).
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// The margin on every side; the footer sits inside the bottom one.
pub const MARGIN: f32 = 48.0;
/// The line height as a multiple of the font size.
const LEADING: f32 = 1.45;

/// How wide text is in a font.
pub trait Measure {
    /// The advance of one character at `size` points.
    fn char_width(&self, c: char, size: f32) -> f32;

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }
}

/// One drawing operation, in PDF coordinates (origin at the bottom left of the page).
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Text on one line; `y` is its baseline.
    Text { x: f32, y: f32, size: f32, text: String },
    /// A thin straight line (rules, signature lines).
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
    /// A QR code as dark squares: `side` points wide, its bottom left at (`x`, `y`),
    /// `modules` per row, `dark` row by row from the top (without the quiet zone, which is
    /// left blank around it).
    Qr { x: f32, y: f32, side: f32, modules: usize, dark: Vec<bool> },
}

/// The operations of one page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub ops: Vec<Op>,
}

/// A column of a table: where it starts and how wide it is.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub x: f32,
    pub width: f32,
}

/// The cursor moving down the pages.
#[derive(Debug)]
pub struct Flow<'m, M> {
    measure: &'m M,
    pages: Vec<Page>,
    /// The top of the next line, in PDF coordinates.
    y: f32,
}

impl<'m, M: Measure> Flow<'m, M> {
    pub fn new(measure: &'m M) -> Self {
        Flow { measure, pages: vec![Page::default()], y: PAGE_HEIGHT - MARGIN }
    }

    pub fn measure(&self) -> &M {
        self.measure
    }

    /// The top of the next line.
    pub fn y(&self) -> f32 {
        self.y
    }

    pub fn line_height(size: f32) -> f32 {
        size * LEADING
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y - height < MARGIN && self.y < PAGE_HEIGHT - MARGIN {
            self.pages.push(Page::default());
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    pub fn space(&mut self, height: f32) {
        self.y -= height;
    }

    pub fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a flow always has a page").ops.push(op);
    }

    /// One line of text whose top is at `top`.
    pub fn text_at(&mut self, x: f32, top: f32, size: f32, text: &str) {
        if !text.is_empty() {
            self.push(Op::Text { x, y: top - size * 1.1, size, text: text.to_owned() });
        }
    }

    /// Text wrapped to `width`, moving to a new page between lines where it must.
    pub fn paragraph(&mut self, x: f32, width: f32, size: f32, text: &str) {
        for line in wrap(self.measure, text, size, width) {
            self.ensure(Self::line_height(size));
            let top = self.y;
            self.text_at(x, top, size, &line);
            self.y -= Self::line_height(size);
        }
    }

    /// Text centred on the page, wrapped to `width`.
    pub fn centred(&mut self, size: f32, width: f32, text: &str) {
        for line in wrap(self.measure, text, size, width) {
            self.ensure(Self::line_height(size));
            let x = (PAGE_WIDTH - self.measure.width(&line, size)) / 2.0;
            let top = self.y;
            self.text_at(x, top, size, &line);
            self.y -= Self::line_height(size);
        }
    }

    /// A table row: each cell wrapped in its column, the row kept on one page.
    pub fn row(&mut self, columns: &[Column], cells: &[String], size: f32) {
        let wrapped: Vec<Vec<String>> =
            columns.iter().zip(cells).map(|(col, text)| wrap(self.measure, text, size, col.width)).collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
        self.ensure(lines as f32 * Self::line_height(size));
        let top = self.y;
        for (col, cell) in columns.iter().zip(&wrapped) {
            for (i, line) in cell.iter().enumerate() {
                self.text_at(col.x, top - i as f32 * Self::line_height(size), size, line);
            }
        }
        self.y -= lines as f32 * Self::line_height(size);
    }

    /// A rule across the text width, a little below the last line.
    pub fn rule(&mut self) {
        self.ensure(6.0);
        let y = self.y - 2.0;
        self.push(Op::Line { x1: MARGIN, y1: y, x2: PAGE_WIDTH - MARGIN, y2: y });
        self.y -= 6.0;
    }

    pub fn finish(self) -> Vec<Page> {
        self.pages
    }
}

/// Breaks `text` into lines no wider than `width`: at spaces and beside Chinese characters
/// where it can, inside a run of letters and digits (a hash) only where it must.
pub fn wrap<M: Measure>(measure: &M, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let chars: Vec<char> = paragraph.chars().collect();
        if chars.is_empty() {
            lines.push(String::new());
            continue;
        }
        let mut start = 0;
        while start < chars.len() {
            let (mut end, mut used, mut last_break) = (start, 0.0, None);
            while end < chars.len() {
                let w = measure.char_width(chars[end], size);
                if used + w > width && end > start {
                    break;
                }
                used += w;
                end += 1;
                if end < chars.len() && breaks_between(chars[end - 1], chars[end]) {
                    last_break = Some(end);
                }
            }
            if end < chars.len()
                && let Some(at) = last_break
            {
                end = at;
            }
            lines.push(chars[start..end].iter().collect::<String>().trim_end().to_owned());
            start = end;
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
        }
    }
    lines
}

/// Whether a line may end between `a` and `b`.
fn breaks_between(a: char, b: char) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | ')' | '）' | '，' | '。' | '：' | ':');
    a == ' ' || (!a.is_ascii() && !word(b)) || (a.is_ascii_punctuation() && a != '.' && b.is_ascii_alphanumeric())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Half an em for ASCII, a whole em for anything else (as CJK fonts draw them).
    pub(crate) struct Fixed;
    impl Measure for Fixed {
        fn char_width(&self, c: char, size: f32) -> f32 {
            if c.is_ascii() { size * 0.5 } else { size }
        }
    }

    #[test]
    fn wrapping_keeps_every_character_and_each_line_within_the_width() {
        let text = "保障农民工工资支付条例第二十六条 requires a special wage account at every construction site.";
        let lines = wrap(&Fixed, text, 10.0, 120.0);
        assert!(lines.len() > 2, "a long text wraps: {lines:?}");
        for line in &lines {
            assert!(Fixed.width(line, 10.0) <= 120.0, "{line:?} is wider than the column");
        }
        let joined: String = lines.concat();
        assert_eq!(joined.replace(' ', ""), text.replace(' ', ""), "nothing is lost at the breaks");
        for word in "requires a special wage account at every construction site.".split(' ') {
            assert!(
                lines.iter().any(|l| l.split(' ').any(|w| w == word)),
                "English breaks between words, not in {word:?}: {lines:?}"
            );
        }
    }

    #[test]
    fn a_hash_too_wide_for_its_column_is_broken_where_it_must() {
        let hash = "ab".repeat(32);
        let lines = wrap(&Fixed, &hash, 8.0, 100.0);
        assert_eq!(lines.concat(), hash);
        assert_eq!(lines[0].len(), 25, "as many digits as fit on the first line");
    }

    #[test]
    fn a_row_that_does_not_fit_moves_whole_to_the_next_page() {
        let mut flow = Flow::new(&Fixed);
        flow.space(PAGE_HEIGHT - 2.0 * MARGIN - 20.0);
        let cols = [Column { x: MARGIN, width: 40.0 }, Column { x: MARGIN + 50.0, width: 300.0 }];
        flow.row(&cols, &["一二三四五六七八九十".into(), "x".into()], 10.0);
        let pages = flow.finish();
        assert_eq!(pages.len(), 2);
        assert!(pages[0].ops.is_empty(), "nothing of the row is left on the first page");
        assert_eq!(pages[1].ops.len(), 4, "three lines of the first cell and one of the second");
    }
}
