import KaldiIO
/// Common English words, by the role they play in `SentenceGenerator`'s templates. Every word is
/// in the CMU pronouncing dictionary (a test checks it against Debian's `cmudict-en-us.dict`).
/// Plain lowercase letters only, so eSpeak reads each as exactly one word.
enum Vocabulary {
    static let determiners = ["the", "a", "this", "that", "my", "your", "his", "her", "our", "their", "every", "one", "some", "no"]
    static let pluralDeterminers = ["the", "some", "many", "few", "these", "those", "my", "our", "their", "two", "three", "four", "five", "several"]

    static let adjectives = [
        "old", "new", "big", "small", "long", "short", "young", "good", "bad", "great", "little", "large", "high", "low",
        "red", "blue", "green", "black", "white", "brown", "yellow", "gray", "dark", "bright", "warm", "cold", "hot",
        "cool", "soft", "hard", "quiet", "loud", "quick", "slow", "happy", "sad", "tired", "busy", "empty", "full",
        "clean", "dirty", "heavy", "light", "strong", "weak", "rich", "poor", "kind", "calm", "brave", "famous",
        "strange", "simple", "careful", "gentle", "narrow", "wide", "deep", "sweet", "fresh", "early", "late", "wet", "dry",
    ]

    static let nouns = [
        "man", "woman", "child", "boy", "girl", "friend", "teacher", "doctor", "farmer", "driver", "mother", "father",
        "brother", "sister", "baby", "king", "queen", "student", "neighbor", "captain", "dog", "cat", "horse", "bird",
        "fish", "cow", "sheep", "rabbit", "mouse", "bear", "house", "car", "boat", "train", "road", "river", "tree",
        "garden", "window", "door", "table", "chair", "book", "letter", "paper", "picture", "bottle", "cup", "box",
        "bag", "coat", "shirt", "hat", "shoe", "ball", "apple", "orange", "bread", "cake", "cheese", "water", "milk",
        "coffee", "dinner", "market", "school", "church", "village", "city", "island", "mountain", "forest", "field",
        "bridge", "kitchen", "office", "station", "hotel", "garage", "basket", "blanket", "candle", "clock", "key",
        "ladder", "pencil", "pocket", "rope", "stone", "wall", "wheel", "wagon", "song", "story", "game", "gift",
    ]

    static let pluralNouns = [
        "men", "women", "children", "boys", "girls", "friends", "teachers", "doctors", "farmers", "dogs", "cats",
        "horses", "birds", "cows", "sheep", "houses", "cars", "boats", "trees", "windows", "doors", "tables", "chairs",
        "books", "letters", "pictures", "bottles", "cups", "boxes", "bags", "apples", "oranges", "flowers", "stones",
        "keys", "candles", "songs", "stories", "games", "gifts", "students", "neighbors", "sisters", "brothers",
    ]

    static let pronouns = ["he", "she", "we", "they", "i", "you"]

    static let names = [
        "john", "mary", "peter", "susan", "david", "linda", "michael", "sarah", "james", "laura", "robert", "helen",
        "thomas", "anna", "george", "emma", "paul", "kate", "frank", "alice",
    ]

    /// Past-tense verbs taking an object.
    static let transitiveVerbs = [
        "saw", "found", "took", "made", "bought", "sold", "washed", "painted", "opened", "closed", "carried", "pulled",
        "pushed", "moved", "watched", "followed", "visited", "helped", "called", "liked", "loved", "wanted", "needed",
        "brought", "kept", "held", "left", "lost", "caught", "cleaned", "fixed", "built", "broke", "dropped", "picked",
        "touched", "remembered", "noticed", "showed", "gave", "sent", "read", "wrote", "drew", "heard", "met", "fed",
    ]

    /// Past-tense verbs without an object.
    static let intransitiveVerbs = [
        "slept", "laughed", "smiled", "waited", "walked", "ran", "sang", "danced", "cried", "arrived", "stayed",
        "worked", "played", "talked", "listened", "rested", "jumped", "stopped", "returned", "escaped", "fell", "sat",
    ]

    static let adverbs = [
        "quickly", "slowly", "quietly", "happily", "carefully", "again", "today", "yesterday", "later", "early",
        "often", "never", "always", "suddenly", "finally", "outside", "inside", "together", "alone", "there", "here",
    ]

    static let prepositions = [
        "in", "on", "under", "near", "behind", "beside", "over", "from", "with", "into", "across", "through", "around",
        "after", "before", "without", "along", "past", "toward", "by",
    ]

    static let conjunctions = ["and", "but", "so", "while", "because", "when"]

    /// Every distinct word the generator can produce.
    static var all: Set<String> {
        Set(determiners + pluralDeterminers + adjectives + nouns + pluralNouns + pronouns + names + transitiveVerbs
            + intransitiveVerbs + adverbs + prepositions + conjunctions)
    }
}
