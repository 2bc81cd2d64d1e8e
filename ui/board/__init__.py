"""The class board: a class's published runs side by side, the teacher's challenge and its
leaderboard, refreshed live while the class works."""
