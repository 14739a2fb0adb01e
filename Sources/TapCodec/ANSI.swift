// Terminal escapes shared by the renderers: SGR colours and the erasable provisional line.

public enum ANSI {
    public static let reset = "\u{1B}[0m"
    public static let bold = "\u{1B}[1m"
    public static let dim = "\u{1B}[2m"
    public static let red = "\u{1B}[31m"
    public static let green = "\u{1B}[32m"
    public static let yellow = "\u{1B}[33m"
    public static let blue = "\u{1B}[34m"
    public static let magenta = "\u{1B}[35m"
    public static let cyan = "\u{1B}[36m"
    public static let white = "\u{1B}[37m"
    public static let brightYellow = "\u{1B}[93m"
    public static let brightBlack = "\u{1B}[90m"
    /// Back to column 0 and clear the line: erases a provisional line.
    public static let eraseLine = "\r\u{1B}[2K"

    /// `text` wrapped in `color` when colour is on.
    public static func paint(_ text: String, _ color: String, enabled: Bool) -> String {
        enabled ? color + text + reset : text
    }
}
